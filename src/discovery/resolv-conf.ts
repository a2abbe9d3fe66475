import { readFileSync } from 'node:fs'
import { isIPText } from '../netaddr/ip-text.ts'
import type { HostPort } from '../netaddr/netaddress.ts'

export const RESOLV_CONF_PATH = '/etc/resolv.conf'
export const DNS_PORT = 53
/** What the C library uses when resolv.conf names no server: a resolver on this machine. */
export const FALLBACK_DNS_SERVER: HostPort = { host: '127.0.0.1', port: DNS_PORT }

/**
 * The `nameserver` lines of a resolv.conf, in order. Comments (# or ;) and other directives are skipped,
 * as are values that are not IP addresses; an IPv6 zone (`%eth0`) is dropped because it cannot travel
 * in a HostPort and a link-local resolver is reached through the default interface anyway.
 */
export function parseResolvConf (text: string): HostPort[] {
  const servers: HostPort[] = []
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim()
    const [keyword, value] = line.split(/\s+/)
    if (keyword !== 'nameserver' || value === undefined) continue
    const host = value.replace(/%.*$/, '').toLowerCase()
    if (isIPText(host)) servers.push({ host, port: DNS_PORT })
  }
  return servers
}

export interface SystemDnsServers {
  readonly servers: HostPort[]
  /** Set when resolv.conf was missing or empty and the fallback is in use: worth a log line. */
  readonly fallback?: string
}

/** The system's DNS servers from resolv.conf, or the C library's fallback (127.0.0.1:53) with the reason. */
export function readSystemDnsServers (path = RESOLV_CONF_PATH): SystemDnsServers {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    return { servers: [FALLBACK_DNS_SERVER], fallback: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); using 127.0.0.1:53` }
  }
  const servers = parseResolvConf(text)
  if (servers.length > 0) return { servers }
  return { servers: [FALLBACK_DNS_SERVER], fallback: `${path} lists no nameserver; using 127.0.0.1:53` }
}
