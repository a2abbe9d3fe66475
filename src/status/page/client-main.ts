/**
 * The page's live side: one EventSource on /api/events. The first message (`hello`) is the whole state
 * with the timeline and recent events; then `event` (a node event), `state` (a fresh state, at most once
 * a second) and `sample` (a timeline point). A dropped stream reconnects by itself and starts again from
 * a new hello. Browser JavaScript, served as text.
 */
export const CLIENT_MAIN_SCRIPT = String.raw`
var MAX_EVENTS = 1000;
var model = { state: null, offsetMs: 0, events: [], timeline: [], stateAt: 0 };
var pending = false;

function serverNow() { return Date.now() + model.offsetMs; }

function render() {
  pending = false;
  var s = model.state;
  if (!s) return;
  var now = serverNow();
  document.getElementById('network').textContent = s.network + (s.running ? '' : ' (not running)');
  renderSlots(s, now);
  renderInbound(s);
  renderPeers(s, now);
  renderBook(s);
  renderBans(s, now);
  renderEvents(model.events);
  drawChart(document.getElementById('chart'), model.timeline, livePoint(s, now), now);
  document.body.dataset.updated = String(model.stateAt);
}

/** The counts right now, so the chart's lines reach "now" between the server's samples (dials are in the next sample). */
function livePoint(s, now) {
  var up = function (dir) { return s.peers.filter(function (p) { return p.direction === dir && p.handshakeAtMs !== undefined; }).length; };
  return { atMs: now, outbound: up('outbound'), inbound: up('inbound'), dials: 0, dialsFailed: 0 };
}

function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(render);
  // A hidden tab gets no animation frames; the next visible frame renders the latest state.
}

function takeState(s) {
  model.state = s;
  model.offsetMs = s.nowMs - Date.now();
  model.stateAt = s.nowMs;
}

function connect() {
  var live = document.getElementById('live');
  var source = new EventSource('api/events');
  source.addEventListener('open', function () { live.textContent = 'live'; live.className = 'on'; });
  source.addEventListener('error', function () { live.textContent = 'reconnecting'; live.className = ''; });
  source.addEventListener('hello', function (m) {
    var hello = JSON.parse(m.data);
    model.events = hello.events.slice();
    model.timeline = hello.timeline.slice();
    takeState(hello);
    schedule();
  });
  source.addEventListener('state', function (m) { takeState(JSON.parse(m.data)); schedule(); });
  source.addEventListener('event', function (m) {
    model.events.push(JSON.parse(m.data));
    if (model.events.length > MAX_EVENTS) model.events.splice(0, model.events.length - MAX_EVENTS);
    schedule();
  });
  source.addEventListener('sample', function (m) {
    model.timeline.push(JSON.parse(m.data));
    var from = serverNow() - HOUR_MS;
    while (model.timeline.length > 0 && model.timeline[0].atMs < from) model.timeline.shift();
    schedule();
  });
}

document.getElementById('event-filter').addEventListener('input', schedule);
document.getElementById('event-level').addEventListener('change', schedule);
// Ages and countdowns move between states.
setInterval(schedule, 1000);
connect();
`
