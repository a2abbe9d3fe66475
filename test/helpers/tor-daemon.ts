import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exited, findExecutable } from './executables.ts'
import { refusedPort } from './loopback-listener.ts'

/** How long tor may take to open its SOCKS ports (it reads its GeoIP files first). */
const TOR_START_TIMEOUT_MS = 30_000
const PORT_POLL_MS = 100

/** The `tor` executable on PATH (or in /usr/sbin, where Debian puts it), or undefined. */
export function findTor (): string | undefined {
  return findExecutable('tor')
}

export interface TorDaemon {
  /** SOCKS port answering automapped names with IPv6 (tor's default). */
  socksPort: number
  /** SOCKS port with NoPreferIPv6Automap: automapped names get IPv4. */
  socksPortV4: number
  /** tor's own log (info level, addresses not scrubbed). */
  log(): string
  stop(): Promise<void>
}

/**
 * The torrc of an offline tor: its only "bridge" is 127.0.0.1:9, where nothing listens, so it never
 * bootstraps and never contacts anything but loopback (no directory authorities, no fallbacks, no
 * IPv6). It still implements SOCKS5 and RESOLVE: automapped names (.onion, .test) get a mapped address,
 * and any other name fails with status 4 once SocksTimeout (5 s) passes.
 */
function torrc (dir: string, socksPort: number, socksPortV4: number): string {
  return [
    `SocksPort 127.0.0.1:${socksPort}`,
    `SocksPort 127.0.0.1:${socksPortV4} NoPreferIPv6Automap`,
    'UseBridges 1',
    'Bridge 127.0.0.1:9',
    'ClientUseIPv6 0',
    'AutomapHostsOnResolve 1',
    'AutomapHostsSuffixes .onion,.test',
    'SocksTimeout 5',
    'ControlPort 0',
    'AvoidDiskWrites 1',
    `DataDirectory ${join(dir, 'data')}`,
    // Unscrubbed addresses let the test prove every connection attempt went to loopback.
    'SafeLogging 0',
    `Log info file ${join(dir, 'tor.log')}`,
    ''
  ].join('\n')
}

async function portAccepts (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { resolve(false) })
  })
}

/** Starts an offline tor on two free loopback SOCKS ports and waits until both accept connections. */
export async function startTorDaemon (tor: string): Promise<TorDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'pk-tor-'))
  const socksPort = await refusedPort()
  const socksPortV4 = await refusedPort()
  writeFileSync(join(dir, 'torrc'), torrc(dir, socksPort, socksPortV4))
  const child = spawn(tor, ['-f', join(dir, 'torrc')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
  const log = (): string => { try { return readFileSync(join(dir, 'tor.log'), 'utf8') } catch { return '' } }
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null) child.kill('SIGTERM')
    await exited(child)
    rmSync(dir, { recursive: true, force: true })
  }
  // Polls a child process's ports in real time: this waits for tor, not for one of our timers.
  const deadline = Date.now() + TOR_START_TIMEOUT_MS
  while (!(await portAccepts(socksPort)) || !(await portAccepts(socksPortV4))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = `tor did not open its SOCKS ports (exit ${String(child.exitCode)}): ${stderr.trim()} ${log().split('\n').slice(-5).join(' | ')}`
      await stop()
      throw new Error(why)
    }
    await new Promise((resolve) => setTimeout(resolve, PORT_POLL_MS))
  }
  return { socksPort, socksPortV4, log, stop }
}

/** Every address:port in a tor log that is not loopback: must be empty for an offline tor. */
export function nonLoopbackEndpoints (log: string): string[] {
  const v4 = [...log.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3}):\d+/g)].map((m) => m[1] ?? '')
  const v6 = [...log.matchAll(/\[([0-9a-f:]+)\]:\d+/gi)].map((m) => m[1] ?? '')
  return [...v4.filter((ip) => !ip.startsWith('127.')), ...v6.filter((ip) => ip !== '::1')]
}
