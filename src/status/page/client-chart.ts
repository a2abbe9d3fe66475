/**
 * The page's timeline chart, drawn by the page itself as inline SVG: outbound and inbound connections as
 * lines, finished dials as bars (failed ones red), over the last hour. Browser JavaScript, served as text.
 */
export const CLIENT_CHART_SCRIPT = String.raw`
var SVG_NS = 'http://www.w3.org/2000/svg';
var HOUR_MS = 3600000;

function svgEl(tag, attrs) {
  var node = document.createElementNS(SVG_NS, tag);
  for (var k in attrs) node.setAttribute(k, String(attrs[k]));
  return node;
}

function shortSpan(ms) {
  return ms >= 60000 ? Math.round(ms / 60000) + ' min' : Math.round(ms / 1000) + ' s';
}

/** A node up for less than an hour gets its whole life on the axis; then the axis is the last hour. */
function drawChart(box, points, live, nowMs) {
  var W = 720, H = 180, L = 30, R = 8, T = 8, B = 20;
  var svg = svgEl('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'connections and dials over the last hour' });
  var all = points.concat(live ? [live] : []);
  var spanMs = Math.min(HOUR_MS, Math.max(60000, all.length > 0 ? nowMs - all[0].atMs : 0));
  var from = nowMs - spanMs;
  var shown = all.filter(function (p) { return p.atMs >= from; });
  var top = 1;
  shown.forEach(function (p) { top = Math.max(top, p.outbound, p.inbound, p.dials); });
  top = Math.ceil(top * 1.15);
  var x = function (t) { return L + (W - L - R) * (t - from) / spanMs; };
  var y = function (v) { return H - B - (H - T - B) * v / top; };
  for (var i = 0; i <= 4; i++) {
    var v = Math.round(top * i / 4);
    svg.appendChild(svgEl('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: 'currentColor', 'stroke-opacity': 0.12 }));
    var label = svgEl('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor', 'fill-opacity': 0.6 });
    label.textContent = String(v);
    svg.appendChild(label);
  }
  for (var k = 0; k <= 6; k++) {
    var tx = svgEl('text', { x: x(from + spanMs * k / 6), y: H - 5, 'text-anchor': k === 0 ? 'start' : k === 6 ? 'end' : 'middle', 'font-size': 10, fill: 'currentColor', 'fill-opacity': 0.6 });
    tx.textContent = k === 6 ? 'now' : '-' + shortSpan(spanMs * (6 - k) / 6);
    svg.appendChild(tx);
  }
  var slot = Math.max(2, (W - L - R) / Math.max(shown.length, 1) * 0.6);
  shown.forEach(function (p) {
    if (p.dials > 0) svg.appendChild(svgEl('rect', { x: x(p.atMs) - slot / 2, width: slot, y: y(p.dials), height: y(0) - y(p.dials), fill: 'var(--muted)', 'fill-opacity': 0.5 }));
    if (p.dialsFailed > 0) svg.appendChild(svgEl('rect', { x: x(p.atMs) - slot / 2, width: slot, y: y(p.dialsFailed), height: y(0) - y(p.dialsFailed), fill: 'var(--bad)', 'fill-opacity': 0.7 }));
  });
  [['outbound', 'var(--filled)'], ['inbound', 'var(--inb)']].forEach(function (line) {
    if (shown.length === 0) return;
    var d = shown.map(function (p, j) { return (j === 0 ? 'M' : 'L') + x(p.atMs).toFixed(1) + ',' + y(p[line[0]]).toFixed(1); }).join(' ');
    svg.appendChild(svgEl('path', { d: d, fill: 'none', stroke: line[1], 'stroke-width': 2, 'data-series': line[0] }));
  });
  box.replaceChildren(svg);
}
`
