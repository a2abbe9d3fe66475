import { CLIENT_CHART_SCRIPT } from './client-chart.ts'
import { CLIENT_MAIN_SCRIPT } from './client-main.ts'
import { CLIENT_RENDER_SCRIPT } from './client-render.ts'
import { STATUS_PAGE_STYLE } from './style.ts'

const BODY = `
<header>
  <h1>peerkeeper</h1><span id="network" class="muted">connecting…</span><span id="live">connecting</span>
  <span class="muted">read-only; actions are in the authenticated control API (peerkeeper cli)</span>
</header>
<main>
  <section class="wide" id="outbound">
    <h2>Outbound slots</h2>
    <p id="slot-summary" class="muted"></p>
    <div class="slots" id="slots"></div>
    <h2 style="margin-top:10px">Permanent peers waiting to retry</h2>
    <ul id="retries"></ul>
  </section>
  <section id="inbound">
    <h2>Inbound</h2>
    <div id="inbound-count"></div>
    <div class="bar"><div id="inbound-bar" style="width:0"></div></div>
    <table><thead><tr><th>rejected because</th><th>count</th></tr></thead><tbody id="rejections"></tbody></table>
  </section>
  <section id="timeline">
    <h2>Last hour</h2>
    <div id="chart"></div>
    <div class="legend muted"><span><i style="background:var(--filled)"></i>outbound</span><span><i style="background:var(--inb)"></i>inbound</span>
      <span><i style="background:var(--muted)"></i>dials</span><span><i style="background:var(--bad)"></i>failed dials</span></div>
  </section>
  <section class="wide">
    <h2>Peers <span id="peer-count" class="muted"></span></h2>
    <div class="scroll"><table><thead id="peers-head"></thead><tbody id="peers"></tbody></table></div>
  </section>
  <section>
    <h2>Address book</h2>
    <table><thead><tr><th>network</th><th>new</th><th>tried</th></tr></thead><tbody id="book"></tbody></table>
  </section>
  <section>
    <h2>Bans <span id="ban-count" class="muted"></span></h2>
    <div class="scroll"><table><thead><tr><th>subnet</th><th>reason</th><th>expires</th></tr></thead><tbody id="bans"></tbody></table></div>
  </section>
  <section class="wide" id="events">
    <h2>Recent events</h2>
    <div class="filters">
      <input id="event-filter" type="search" placeholder="filter: event name or text" size="32">
      <select id="event-level"><option value="trace">all levels</option><option value="info" selected>info and above</option><option value="warn">warnings and errors</option></select>
    </div>
    <div class="scroll"><ul id="event-list"></ul></div>
  </section>
</main>`

/**
 * The status page: one self-contained document (style and script inline, nothing fetched from
 * elsewhere), so it works offline and needs no build step.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>peerkeeper status</title><style>${STATUS_PAGE_STYLE}</style></head>
<body>${BODY}
<script>
"use strict";
${CLIENT_RENDER_SCRIPT}
${CLIENT_CHART_SCRIPT}
${CLIENT_MAIN_SCRIPT}
</script>
</body></html>
`
