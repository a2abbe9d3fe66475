import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { exited, findExecutable } from './executables.ts'
import { refusedPort } from './loopback-listener.ts'
import { tempDir } from './temp-dir.ts'

/** dnsmasq reads its hosts file and opens its sockets in well under a second; allow a loaded machine. */
const DNSMASQ_START_TIMEOUT_MS = 15_000
const START_ATTEMPTS = 3

/** The `dnsmasq` executable on PATH (or in /usr/sbin, where Debian's dnsmasq-base puts it), or undefined. */
export function findDnsmasq (): string | undefined {
  return findExecutable('dnsmasq')
}

export interface Dnsmasq {
  readonly port: number
  /** What dnsmasq logged (its log goes to stderr). */
  log(): string
  stop(): Promise<void>
}

/** Waits for dnsmasq to log that it read the hosts file (it has bound its sockets by then), or to exit. */
async function ready (child: ChildProcess, log: () => string): Promise<boolean> {
  return await new Promise((resolve) => {
    const deadline = setTimeout(() => { done(false) }, DNSMASQ_START_TIMEOUT_MS)
    const check = (): void => { if (/read .*hosts - \d+ names/.test(log())) done(true) }
    const onExit = (): void => { done(false) }
    function done (ok: boolean): void {
      clearTimeout(deadline)
      child.stderr?.off('data', check)
      child.off('exit', onExit)
      resolve(ok)
    }
    child.stderr?.on('data', check)
    child.once('exit', onExit)
    check()
  })
}

/**
 * dnsmasq as an authoritative-only server on 127.0.0.1: `hosts` maps each name to its addresses (A and
 * AAAA from the address family); names under `.test` it does not know are NXDOMAIN; there is no upstream,
 * no /etc/hosts, no resolv.conf, no DHCP. UDP and TCP on one free port (retried if the port was taken).
 */
export async function startDnsmasq (dnsmasq: string, hosts: Record<string, readonly string[]>): Promise<Dnsmasq> {
  const dir = tempDir('dnsmasq')
  const hostsFile = join(dir, 'hosts')
  writeFileSync(hostsFile, Object.entries(hosts).flatMap(([name, ips]) => ips.map((ip) => `${ip} ${name}\n`)).join(''))
  let failure = ''
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await refusedPort()
    const child = spawn(dnsmasq, [
      '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--pid-file=',
      `--user=${userInfo().username}`, '--no-resolv', '--no-hosts', '--no-poll',
      '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`,
      `--addn-hosts=${hostsFile}`, '--local=/test/'
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
    const log = (): string => stderr
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited(child)
    }
    if (await ready(child, log)) return { port, log, stop }
    failure = stderr.trim()
    await stop()
  }
  throw new Error(`dnsmasq did not start: ${failure}`)
}
