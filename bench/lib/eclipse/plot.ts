const WIDTH = 760
const HEIGHT = 300
const PAD = 48
/** One legend line below the plot per series, after a gap below the axis title. */
const LEGEND_LINE = 15
const LEGEND_TOP = HEIGHT + 16
/** Room right of the plot for the group share's label. */
const RIGHT_LABEL_WIDTH = 64
const COLOURS = ['#c0392b', '#d68910', '#2471a3', '#1e8449', '#7d3c98', '#17202a']

export interface Series {
  readonly label: string
  /** y values (fractions 0..1) at x = 0, 1, 2, … (restarts). */
  readonly values: readonly number[]
  /** Index into the palette, so that two series of one setting share a colour. @default the series' index */
  readonly colour?: number
  /** Drawn dashed (the never-restarting nodes of a setting). */
  readonly dashed?: boolean
}

/**
 * Attacker share of the honest nodes' outbound slots (y, %) after each restart (x), one line per setting,
 * with the attacker's share of groups as a dotted line ("groups N%"): the goal is to stay at or below it.
 */
export function shareSvg (title: string, series: readonly Series[], groupShare: number, crashes: readonly boolean[]): string {
  const n = Math.max(2, ...series.map((s) => s.values.length))
  const maxY = Math.min(1, Math.max(groupShare * 1.5, ...series.flatMap((s) => s.values)) + 0.05)
  const x = (i: number): number => PAD + (i / (n - 1)) * (WIDTH - 2 * PAD)
  const y = (v: number): number => HEIGHT - PAD - (v / maxY) * (HEIGHT - 2 * PAD)
  const lines = series.map((s, k) => {
    const colour = COLOURS[(s.colour ?? k) % COLOURS.length] ?? '#333'
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : ''
    const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'} ${x(i).toFixed(1)} ${y(v).toFixed(1)}`).join(' ')
    const legendY = LEGEND_TOP + LEGEND_LINE * k
    return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>` +
      `<line x1="${PAD}" x2="${PAD + 24}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${colour}" stroke-width="2"${dash}/>` +
      `<text x="${PAD + 30}" y="${legendY}" fill="${colour}">${escape(s.label)}</text>`
  }).join('\n')
  const ticks = Array.from({ length: n }, (_, i) => `<text x="${x(i).toFixed(1)}" y="${HEIGHT - PAD + 16}" text-anchor="middle">${i === 0 ? 'start' : `${i}${crashes[i - 1] === true ? '†' : ''}`}</text>`).join('')
  const yTicks = [0, 0.25, 0.5, 0.75, 1].filter((v) => v <= maxY).map((v) => `<text x="${PAD - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v * 100)}%</text>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH + RIGHT_LABEL_WIDTH}" height="${LEGEND_TOP + LEGEND_LINE * series.length}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${PAD}" y="18" font-size="13">${escape(title)}</text>
<line x1="${PAD}" x2="${WIDTH - PAD}" y1="${y(groupShare).toFixed(1)}" y2="${y(groupShare).toFixed(1)}" stroke="#999" stroke-dasharray="4 3"/>
<text x="${WIDTH - PAD + 6}" y="${(y(groupShare) + 4).toFixed(1)}" fill="#666">groups ${Math.round(groupShare * 100)}%</text>
<line x1="${PAD}" x2="${PAD}" y1="${PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>
<line x1="${PAD}" x2="${WIDTH - PAD}" y1="${HEIGHT - PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>
<text x="${WIDTH / 2}" y="${HEIGHT - 8}" text-anchor="middle">restart († = kill -9)</text>
${ticks}${yTicks}
${lines}
</svg>
`
}

function escape (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
