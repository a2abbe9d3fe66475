/** The page's stylesheet: system fonts, no images, readable light or dark. */
export const STATUS_PAGE_STYLE = String.raw`
:root { color-scheme: light dark; --bg: #f7f7f5; --fg: #1d1d1f; --muted: #6b6b70; --card: #fff; --line: #dedee3;
  --filled: #2f8f4e; --dialing: #c98a00; --waiting: #b5532b; --empty: #9a9aa2; --inb: #2a6fdb; --bad: #c0392b; }
@media (prefers-color-scheme: dark) { :root { --bg: #151517; --fg: #e8e8ea; --muted: #9a9aa2; --card: #1f1f23; --line: #33333a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; gap: 16px; align-items: baseline; padding: 10px 16px; border-bottom: 1px solid var(--line); background: var(--card); }
header h1 { font-size: 16px; margin: 0; }
#live { font-size: 12px; padding: 1px 8px; border-radius: 9px; background: var(--empty); color: #fff; }
#live.on { background: var(--filled); }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; padding: 12px 16px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 13px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.muted { color: var(--muted); }
.slots { display: flex; flex-wrap: wrap; gap: 8px; }
.slot { width: 150px; min-height: 74px; border: 2px solid var(--empty); border-radius: 6px; padding: 5px 7px; font-size: 12px; overflow: hidden; }
.slot .kind { font-size: 10px; text-transform: uppercase; color: var(--muted); }
.slot .addr { font-family: ui-monospace, monospace; font-weight: 600; word-break: break-all; }
.slot.filled { border-color: var(--filled); background: color-mix(in srgb, var(--filled) 12%, transparent); }
.slot.handshaking, .slot.dialing, .slot.picking { border-color: var(--dialing); border-style: dashed; }
.slot.waiting { border-color: var(--waiting); border-style: dotted; }
.slot.empty { border-style: dashed; opacity: .6; }
.slot.manual { box-shadow: inset 0 0 0 1px var(--inb); }
.bar { height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; margin: 6px 0; }
.bar > div { height: 100%; background: var(--inb); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.mono, .mono { font-family: ui-monospace, monospace; }
th.sort { cursor: pointer; user-select: none; }
th.sort.asc::after { content: " \25B2"; } th.sort.desc::after { content: " \25BC"; }
.scroll { max-height: 340px; overflow: auto; }
#chart svg { width: 100%; height: 180px; display: block; }
.legend span { margin-right: 12px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
#events li { font-family: ui-monospace, monospace; font-size: 12px; list-style: none; border-bottom: 1px solid var(--line); padding: 2px 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#events ul { margin: 0; padding: 0; }
#events .warn, #events .error, #events .critical { color: var(--bad); }
#events .debug, #events .trace { color: var(--muted); }
.filters { display: flex; gap: 8px; margin-bottom: 6px; }
input, select { font: inherit; background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 4px; padding: 2px 6px; }
`
