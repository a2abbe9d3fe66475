import { spawn, type ChildProcess } from 'node:child_process'
import { CdpSession } from './cdp.ts'
import { exited, findExecutable } from './executables.ts'
import { tempDir } from './temp-dir.ts'

/** Debian's package installs `chromium`; other systems may have the Google build's name. */
export const CHROMIUM = findExecutable('chromium') ?? findExecutable('chromium-browser')

export interface Browser {
  /** The DevTools session of the one page. */
  readonly page: CdpSession
  close(): Promise<void>
}

/** How long Chromium may take to print its DevTools address on a loaded 2-core machine. */
const LAUNCH_TIMEOUT_MS = 30_000

/**
 * Headless Chromium with one blank page, driven over the DevTools protocol; its profile lives in a temp
 * dir. Everything it is pointed at is on loopback; its background networking is switched off.
 */
export async function launchChromium (width = 1400, height = 1100): Promise<Browser> {
  if (CHROMIUM === undefined) throw new Error('chromium is not installed')
  const args = [
    '--headless', '--disable-gpu', '--remote-debugging-port=0', `--user-data-dir=${tempDir('chromium')}`,
    `--window-size=${width},${height}`, '--no-first-run', '--no-default-browser-check', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-extensions', '--hide-scrollbars', '--force-color-profile=srgb',
    // The container runs tests as root, where Chromium's sandbox cannot start.
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    'about:blank'
  ]
  const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  try {
    const browserWs = await devToolsAddress(child)
    const list = await (await fetch(`http://${new URL(browserWs).host}/json/list`)).json() as Array<{ type: string, webSocketDebuggerUrl: string }>
    const target = list.find((t) => t.type === 'page')
    if (target === undefined) throw new Error('chromium opened no page')
    const page = await CdpSession.connect(target.webSocketDebuggerUrl)
    await page.send('Page.enable')
    await page.send('Runtime.enable')
    return {
      page,
      close: async () => {
        page.close()
        child.kill('SIGTERM')
        await exited(child)
      }
    }
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
}

async function devToolsAddress (child: ChildProcess): Promise<string> {
  return await new Promise((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => { reject(new Error(`chromium printed no DevTools address within ${LAUNCH_TIMEOUT_MS} ms: ${text.slice(-500)}`)) }, LAUNCH_TIMEOUT_MS)
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`chromium exited (${String(code)}): ${text.slice(-500)}`)) })
  })
}

/** Navigates and waits for the load event. */
export async function open (page: CdpSession, url: string): Promise<void> {
  const loaded = new Promise<void>((resolve) => { page.onEvent((method) => { if (method === 'Page.loadEventFired') resolve() }) })
  await page.send('Page.navigate', { url })
  await loaded
}

/** Polls `expression` in the page until it is truthy (the page updates over SSE); returns its value. */
export async function waitInPage<T> (page: CdpSession, expression: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    last = await page.evaluate<T>(expression)
    if (last !== null && last !== undefined && last !== false) return last as T
    if (Date.now() > deadline) throw new Error(`page never satisfied: ${expression} (last: ${JSON.stringify(last)})`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
