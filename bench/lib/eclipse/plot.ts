const WIDTH = 720
const HEIGHT = 300
const PAD = 48
/** Room right of the plot for the series' labels. */
const LEGEND_WIDTH = 420
const COLOURS = ['#c0392b', '#d68910', '#2471a3', '#1e8449', '#7d3c98']

export interface Series {
  readonly label: string
  /** y values (fractions 0..1) at x = 0, 1, 2, … (restarts). */
  readonly values: readonly number[]
}

/**
 * Attacker share of the honest nodes' outbound slots (y, %) after each restart (x), one line per setting,
 * with the attacker's share of groups as a dashed line: the goal is to stay at or below it.
 */
export function shareSvg (title: string, series: readonly Series[], groupShare: number, crashes: readonly boolean[]): string {
  const n = Math.max(2, ...series.map((s) => s.values.length))
  const maxY = Math.min(1, Math.max(groupShare * 1.5, ...series.flatMap((s) => s.values)) + 0.05)
  const x = (i: number): number => PAD + (i / (n - 1)) * (WIDTH - 2 * PAD)
  const y = (v: number): number => HEIGHT - PAD - (v / maxY) * (HEIGHT - 2 * PAD)
  const lines = series.map((s, k) => {
    const colour = COLOURS[k % COLOURS.length] ?? '#333'
    const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'} ${x(i).toFixed(1)} ${y(v).toFixed(1)}`).join(' ')
    return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>` +
      `<text x="${WIDTH - PAD + 4}" y="${(PAD + 14 * k).toFixed(1)}" fill="${colour}">${escape(s.label)}</text>`
  }).join('\n')
  const ticks = Array.from({ length: n }, (_, i) => `<text x="${x(i).toFixed(1)}" y="${HEIGHT - PAD + 16}" text-anchor="middle">${i === 0 ? 'start' : `${i}${crashes[i - 1] === true ? '†' : ''}`}</text>`).join('')
  const yTicks = [0, 0.25, 0.5, 0.75, 1].filter((v) => v <= maxY).map((v) => `<text x="${PAD - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v * 100)}%</text>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH + LEGEND_WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${PAD}" y="18" font-size="13">${escape(title)}</text>
<line x1="${PAD}" x2="${WIDTH - PAD}" y1="${y(groupShare).toFixed(1)}" y2="${y(groupShare).toFixed(1)}" stroke="#999" stroke-dasharray="4 3"/>
<text x="${PAD + 4}" y="${(y(groupShare) - 4).toFixed(1)}" fill="#666">attacker's share of groups ${Math.round(groupShare * 100)}%</text>
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
