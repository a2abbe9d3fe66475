import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { nullLogger } from '../../src/log/logger.ts'
import { addrKey } from '../../src/netaddr/netaddress.ts'
import { startSimNetwork } from '../../src/sim/sim-network.ts'
import { StatusServer } from '../../src/status/server.ts'
import { systemClock } from '../../src/util/clock.ts'
import { CHROMIUM, launchChromium, open, waitInPage } from '../helpers/chromium.ts'
import { startInProcessNode } from '../helpers/in-process-node.ts'
import { tempDir } from '../helpers/temp-dir.ts'

// The status page in a real browser: headless Chromium loads it from a node running against the
// simulator and follows it over Server-Sent Events; the test reads the page's DOM over DevTools.

/** Where the test leaves its screenshot (a CI artefact); UPDATE_STATUS_SCREENSHOT=1 also refreshes the README's. */
const ARTEFACT_DIR = join(import.meta.dirname, '..', '..', 'test-results')
const README_SCREENSHOT = join(import.meta.dirname, '..', '..', 'docs', 'status-page.png')
const TARGET = 4

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

if (CHROMIUM === undefined) console.log('SKIPPED status page browser test: chromium is not installed (Debian package `chromium`; .ci/run installs it)')

describe.skipIf(CHROMIUM === undefined)('status page in Chromium', () => {
  it('shows the slots and peers once the target is reached, and drops a lost peer without a reload', async () => {
    const sim = await startSimNetwork({ peers: { live: 7, misbehaving: 1, refusing: 2 }, port: 0, seed: 5 })
    cleanup.push(async () => { await sim.close() })
    const permanent = addrKey(sim.peer(0).addr)
    const { node, log } = await startInProcessNode(sim, { addpeer: [permanent], targetoutbound: TARGET, blockrelayonly: 0 }, tempDir('node'), cleanup)
    const status = new StatusServer({ clock: systemClock, logger: nullLogger, node }, { listen: [{ host: '127.0.0.1', port: 0 }] })
    await status.start()
    cleanup.push(async () => { await status.close() })
    await log.waitUntil(`${TARGET} automatic outbound peers`, () => node.status()?.outbound === TARGET && node.status()?.permanentUp === 1)

    const browser = await launchChromium()
    cleanup.push(async () => { await browser.close() })
    const { page } = browser
    await open(page, status.url())
    await page.evaluate('window.__loadMark = "first load"')

    // The slot row: the target's worth of automatic boxes filled, and the permanent peer's box.
    const filled = await waitInPage<string[]>(page, `(() => {
      const boxes = [...document.querySelectorAll('.slot[data-kind="outbound-full-relay"][data-slot-state="filled"]')].map((b) => b.dataset.addr)
      return boxes.length === ${TARGET} ? boxes : null
    })()`)
    expect(await page.evaluate(`document.querySelector('.slot[data-kind="manual"]').dataset.addr`)).toBe(permanent)
    expect(await page.evaluate(`document.querySelector('.slot[data-kind="manual"]').dataset.slotState`)).toBe('filled')
    const outboundNow = (node.registry?.all() ?? []).filter((c) => c.kind === 'outbound-full-relay' && c.handshake !== undefined).map((c) => c.key)
    expect(new Set(filled)).toEqual(new Set(outboundNow))

    // The peers table lists every live connection, with its user agent; sorting by address orders the rows.
    await waitInPage(page, `document.querySelectorAll('#peers tr').length === ${node.registry?.size ?? -1}`)
    const rows = await page.evaluate<string[]>(`[...document.querySelectorAll('#peers tr')].map((r) => r.dataset.addr)`)
    expect(new Set(rows)).toEqual(new Set((node.registry?.all() ?? []).map((c) => c.key)))
    expect(await page.evaluate<string>('document.querySelector("#peers tr td:nth-child(6)").textContent')).toMatch(/\//)
    await page.evaluate(`document.querySelector('th[data-key="addr"]').click()`)
    const sorted = await waitInPage<string[]>(page, `(() => { const a = [...document.querySelectorAll('#peers tr')].map((r) => r.dataset.addr); return a.join() === [...a].sort().join() ? a : null })()`)
    expect(sorted.length).toBe(rows.length)

    // A peer lost in the simulation leaves the page by itself.
    const lostKey = filled[0] as string
    const lost = sim.peers.find((p) => addrKey(p.addr) === lostKey)
    if (lost === undefined) throw new Error(`no simulated peer at ${lostKey}`)
    await sim.stopPeer(lost.index)
    await log.waitFor('peer_disconnected', (f) => f.addr === lostKey)
    await waitInPage(page, `![...document.querySelectorAll('#peers tr')].some((r) => r.dataset.addr === ${JSON.stringify(lostKey)})`)
    await waitInPage(page, `[...document.querySelectorAll('#event-list li[data-event="peer_disconnected"]')].some((li) => li.textContent.includes(${JSON.stringify(lostKey)}))`)
    expect(await page.evaluate('window.__loadMark')).toBe('first load')
    expect(await page.evaluate(`document.getElementById('live').textContent`)).toBe('live')

    // Let the node refill (and meet the misbehaving peer) so the screenshot shows a working node.
    await log.waitUntil('target refilled', () => node.status()?.outbound === TARGET)
    await waitInPage(page, `document.querySelectorAll('.slot[data-kind="outbound-full-relay"][data-slot-state="filled"]').length === ${TARGET}`)
    expect(await page.evaluate('document.querySelector("#chart path[data-series=outbound]") !== null')).toBe(true)
    const shot = await page.send<{ data: string }>('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })
    const png = Buffer.from(shot.data, 'base64')
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    mkdirSync(ARTEFACT_DIR, { recursive: true })
    writeFileSync(join(ARTEFACT_DIR, 'status-page.png'), png)
    if (process.env.UPDATE_STATUS_SCREENSHOT === '1') copyFileSync(join(ARTEFACT_DIR, 'status-page.png'), README_SCREENSHOT)
  }, 90_000)
})
