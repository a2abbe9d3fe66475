import type { Timeline } from './result.ts'

const WIDTH = 720
const HEIGHT = 260
const PAD = 40

/**
 * A small self-contained SVG: outbound connections over time as a step line, the target as a dashed
 * line, and one tick per dial attempt along the bottom.
 */
export function timelineSvg (t: Timeline): string {
  const endMs = Math.max(1, ...t.outbound.map(([ms]) => ms), ...t.dials)
  const maxY = Math.max(t.targetOutbound, ...t.outbound.map(([, n]) => n)) + 1
  const x = (ms: number): number => PAD + (ms / endMs) * (WIDTH - 2 * PAD)
  const y = (n: number): number => HEIGHT - PAD - (n / maxY) * (HEIGHT - 2 * PAD)
  let path = `M ${x(0).toFixed(1)} ${y(0).toFixed(1)}`
  let last = 0
  for (const [ms, n] of t.outbound) {
    path += ` H ${x(ms).toFixed(1)} V ${y(n).toFixed(1)}`
    last = n
  }
  path += ` H ${x(endMs).toFixed(1)}`
  const ticks = t.dials.map((ms) => `<line x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="${HEIGHT - PAD + 4}" y2="${HEIGHT - PAD + 12}" stroke="#c0392b" stroke-width="1"/>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${PAD}" y="18" font-size="13">${escape(t.profile)}: outbound connections over time (${t.dials.length} dials, red ticks)</text>
<line x1="${PAD}" x2="${WIDTH - PAD}" y1="${y(t.targetOutbound).toFixed(1)}" y2="${y(t.targetOutbound).toFixed(1)}" stroke="#999" stroke-dasharray="4 3"/>
<text x="${WIDTH - PAD + 3}" y="${(y(t.targetOutbound) + 4).toFixed(1)}">target ${t.targetOutbound}</text>
<line x1="${PAD}" x2="${PAD}" y1="${PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>
<line x1="${PAD}" x2="${WIDTH - PAD}" y1="${HEIGHT - PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>
<text x="${PAD}" y="${HEIGHT - 8}">0 ms</text>
<text x="${WIDTH - PAD}" y="${HEIGHT - 8}" text-anchor="end">${endMs.toFixed(0)} ms</text>
<text x="8" y="${(y(last) + 4).toFixed(1)}">${last}</text>
<path d="${path}" fill="none" stroke="#2471a3" stroke-width="2"/>
${ticks}
</svg>
`
}

function escape (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

const SERIES_COLOURS = ['#2471a3', '#c0392b', '#27ae60', '#8e44ad']

export interface SeriesChart {
  readonly title: string
  readonly xLabel: string
  readonly series: ReadonlyArray<{ readonly name: string, readonly points: ReadonlyArray<readonly [number, number]> }>
}

/** Lines over a shared x axis (the soak's RSS and heap per minute), y from 0 to the largest value. */
export function seriesSvg (c: SeriesChart): string {
  const all = c.series.flatMap((s) => s.points)
  const endX = Math.max(1e-9, ...all.map(([x]) => x))
  const maxY = Math.max(1, ...all.map(([, y]) => y)) * 1.1
  const x = (v: number): number => PAD + (v / endX) * (WIDTH - 2 * PAD)
  const y = (v: number): number => HEIGHT - PAD - (v / maxY) * (HEIGHT - 2 * PAD)
  const lines = c.series.map((s, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length] ?? '#333'
    const d = s.points.map(([px, py], j) => `${j === 0 ? 'M' : 'L'} ${x(px).toFixed(1)} ${y(py).toFixed(1)}`).join(' ')
    const last = s.points.at(-1)
    const label = last === undefined ? '' : `<text x="${(x(last[0]) - 4).toFixed(1)}" y="${(y(last[1]) - 6).toFixed(1)}" text-anchor="end" fill="${colour}">${escape(s.name)} ${last[1].toFixed(1)}</text>`
    return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>${label}`
  }).join('\n')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${PAD}" y="18" font-size="13">${escape(c.title)}</text>
<line x1="${PAD}" x2="${PAD}" y1="${PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>
<line x1="${PAD}" x2="${WIDTH - PAD}" y1="${HEIGHT - PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>
<text x="${PAD - 4}" y="${(y(0) + 4).toFixed(1)}" text-anchor="end">0</text>
<text x="${PAD - 4}" y="${(y(maxY / 1.1) + 4).toFixed(1)}" text-anchor="end">${(maxY / 1.1).toFixed(0)}</text>
<text x="${PAD}" y="${HEIGHT - 8}">0</text>
<text x="${WIDTH - PAD}" y="${HEIGHT - 8}" text-anchor="end">${endX.toFixed(0)} ${escape(c.xLabel)}</text>
${lines}
</svg>
`
}
