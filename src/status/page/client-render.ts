/**
 * The page's renderers: each section of the page from the latest state. Everything a peer can influence
 * (user agents, addresses, reasons) goes in through textContent, never as markup. Browser JavaScript,
 * served as text.
 */
export const CLIENT_RENDER_SCRIPT = String.raw`
function el(tag, attrs, children) {
  var node = document.createElement(tag);
  for (var k in (attrs || {})) {
    if (k === 'text') node.textContent = attrs[k];
    else if (k === 'class') node.className = attrs[k];
    else node.setAttribute(k, String(attrs[k]));
  }
  (children || []).forEach(function (c) { if (c) node.appendChild(c); });
  return node;
}

function fmtAge(ms) {
  if (ms === undefined || ms === null || ms < 0) return '';
  var s = Math.floor(ms / 1000);
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h ' + Math.floor(s % 3600 / 60) + 'm';
  return Math.floor(s / 86400) + 'd ' + Math.floor(s % 86400 / 3600) + 'h';
}
function fmtPing(ms) { return ms === undefined || ms === null ? '' : ms + ' ms'; }
function fmtTime(ms) { return new Date(ms).toISOString().slice(11, 19); }

var KIND_LABEL = { 'outbound-full-relay': 'automatic', manual: 'permanent', 'addr-fetch': 'address fetch', inbound: 'inbound', 'block-relay-only': 'block-relay-only', feeler: 'feeler' };
var STATE_LABEL = { filled: 'connected', handshaking: 'handshaking', dialing: 'dialing', waiting: 'waiting to retry', picking: 'picking an address', empty: 'empty' };

function renderSlots(s, now) {
  var o = s.outbound;
  var filled = o.slots.filter(function (x) { return x.kind === 'outbound-full-relay' && x.state === 'filled'; }).length;
  var box = document.getElementById('slots');
  box.replaceChildren.apply(box, o.slots.map(function (slot) {
    var lines = [el('div', { class: 'kind', text: (KIND_LABEL[slot.kind] || slot.kind) + ' \u00b7 ' + STATE_LABEL[slot.state] })];
    if (slot.addr) lines.push(el('div', { class: 'addr', text: slot.addr }));
    if (slot.connectedAtMs !== undefined) lines.push(el('div', { text: 'up ' + fmtAge(now - slot.connectedAtMs) + (slot.pingMs !== undefined ? ' \u00b7 ping ' + fmtPing(slot.pingMs) : '') }));
    if (slot.nextAttemptAtMs !== undefined) lines.push(el('div', { text: slot.nextAttemptAtMs > now ? 'next attempt in ' + fmtAge(slot.nextAttemptAtMs - now) : 'retrying now' }));
    return el('div', { class: 'slot ' + slot.state + ' ' + slot.kind, 'data-slot-state': slot.state, 'data-kind': slot.kind, 'data-addr': slot.addr || '' }, lines);
  }));
  document.getElementById('slot-summary').textContent = filled + ' of ' + o.target + ' automatic slots filled; ' +
    o.slots.filter(function (x) { return x.kind === 'manual' && x.state === 'filled'; }).length + ' of ' +
    o.slots.filter(function (x) { return x.kind === 'manual'; }).length + ' permanent peers connected';
  var retries = document.getElementById('retries');
  retries.replaceChildren.apply(retries, o.retries.map(function (r) {
    return el('li', { 'data-addr': r.addr, text: r.addr + ': ' + r.reason + (r.retryCount ? ' (attempt ' + r.retryCount + ')' : '') + ', ' +
      (r.nextAttemptAtMs > now ? 'next attempt in ' + fmtAge(r.nextAttemptAtMs - now) : 'retrying now') });
  }));
  if (o.retries.length === 0) retries.appendChild(el('li', { class: 'muted', text: 'no permanent peer is waiting to retry' }));
}

function renderInbound(s) {
  var i = s.inbound;
  document.getElementById('inbound-count').textContent = i.used + ' / ' + i.max + ' inbound slots used (' + i.established + ' handshaken)' +
    (i.listening.length ? '; listening on ' + i.listening.join(', ') : '; not listening');
  document.getElementById('inbound-bar').style.width = (i.max > 0 ? Math.min(100, 100 * i.used / i.max) : 0) + '%';
  var rows = Object.keys(i.rejectedByReason).sort().map(function (r) { return el('tr', {}, [el('td', { text: r }), el('td', { text: String(i.rejectedByReason[r]) })]); });
  rows.push(el('tr', {}, [el('td', { text: 'all (exact)' }), el('td', { text: String(i.rejectedTotal) })]));
  var body = document.getElementById('rejections');
  body.replaceChildren.apply(body, rows);
}

var PEER_COLUMNS = [
  ['id', 'id'], ['direction', 'dir'], ['kind', 'type'], ['network', 'net'], ['addr', 'address'], ['userAgent', 'user agent'],
  ['connectedAtMs', 'age'], ['pingMs', 'ping'], ['banScore', 'ban score'], ['flags', 'tags']
];
var peerSort = { key: 'id', dir: 1 };

function peerFlags(p) {
  var f = [];
  if (p.permanent) f.push('permanent');
  if (p.whitelisted) f.push('whitelisted');
  for (var t in p.tags) f.push(t + '=' + p.tags[t]);
  return f.join(' ');
}

function renderPeers(s, now) {
  var head = document.getElementById('peers-head');
  if (!head.firstChild) {
    head.appendChild(el('tr', {}, PEER_COLUMNS.map(function (c) {
      var th = el('th', { class: 'sort', 'data-key': c[0], text: c[1] });
      th.addEventListener('click', function () {
        peerSort = { key: c[0], dir: peerSort.key === c[0] ? -peerSort.dir : 1 };
        render();
      });
      return th;
    })));
  }
  Array.prototype.forEach.call(head.querySelectorAll('th'), function (th) {
    th.classList.toggle('asc', th.dataset.key === peerSort.key && peerSort.dir > 0);
    th.classList.toggle('desc', th.dataset.key === peerSort.key && peerSort.dir < 0);
  });
  var key = peerSort.key;
  var value = function (p) { return key === 'flags' ? peerFlags(p) : p[key]; };
  var peers = s.peers.slice().sort(function (a, b) {
    var x = value(a), y = value(b);
    if (x === y) return a.id - b.id;
    if (x === undefined || x === null) return 1;
    if (y === undefined || y === null) return -1;
    return (x < y ? -1 : 1) * peerSort.dir * (key === 'connectedAtMs' ? -1 : 1);
  });
  var body = document.getElementById('peers');
  body.replaceChildren.apply(body, peers.map(function (p) {
    return el('tr', { 'data-addr': p.addr, 'data-id': p.id }, [
      el('td', { text: String(p.id) }), el('td', { text: p.direction }), el('td', { text: KIND_LABEL[p.kind] || p.kind }),
      el('td', { text: p.network }), el('td', { class: 'mono', text: p.addr }), el('td', { text: p.userAgent === undefined ? '(handshaking)' : p.userAgent }),
      el('td', { text: fmtAge(now - p.connectedAtMs) }), el('td', { text: fmtPing(p.pingMs) }), el('td', { text: String(p.banScore) }),
      el('td', { text: peerFlags(p) })
    ]);
  }));
  document.getElementById('peer-count').textContent = '(' + s.peers.length + ')';
}

function renderBook(s) {
  var b = s.book;
  var nets = Object.keys(b.byNetwork).sort();
  var rows = nets.map(function (n) { return el('tr', {}, [el('td', { text: n }), el('td', { text: String(b.byNetwork[n].new) }), el('td', { text: String(b.byNetwork[n].tried) })]); });
  rows.push(el('tr', {}, [el('th', { text: 'all' }), el('th', { text: String(b.new) }), el('th', { text: String(b.tried) })]));
  var body = document.getElementById('book');
  body.replaceChildren.apply(body, rows);
}

function renderBans(s, now) {
  var body = document.getElementById('bans');
  body.replaceChildren.apply(body, s.bans.shown.map(function (ban) {
    return el('tr', { 'data-target': ban.target }, [el('td', { class: 'mono', text: ban.target }), el('td', { text: ban.reason }), el('td', { text: 'in ' + fmtAge(ban.expiresMs - now) })]);
  }));
  document.getElementById('ban-count').textContent = '(' + s.bans.total + (s.bans.total > s.bans.shown.length ? ', newest ' + s.bans.shown.length + ' shown' : '') + ')';
}

function renderEvents(events) {
  var text = document.getElementById('event-filter').value.trim().toLowerCase();
  var level = document.getElementById('event-level').value;
  var order = ['trace', 'debug', 'info', 'warn', 'error', 'critical'];
  var shown = events.filter(function (e) {
    if (order.indexOf(e.level) < order.indexOf(level)) return false;
    return text === '' || e.event.indexOf(text) >= 0 || e.message.toLowerCase().indexOf(text) >= 0;
  }).slice(-300).reverse();
  var list = document.getElementById('event-list');
  list.replaceChildren.apply(list, shown.map(function (e) {
    return el('li', { class: e.level, 'data-event': e.event, title: JSON.stringify(e.fields), text: fmtTime(e.atMs) + ' ' + e.subsystem + ' ' + e.event + ': ' + e.message });
  }));
}
`
