/** The getpeerinfo fields the table shows. */
export interface PeerRow {
  id: number
  addr: string
  network: string
  connection_type: string
  inbound: boolean
  conntime: number
  pingtime?: number
  minping?: number
  banscore?: number
  subver: string
  version: number
}

/** bitcoin-cli -netinfo's short names for the connection types. */
const TYPE_NAMES: Readonly<Record<string, string>> = { 'outbound-full-relay': 'full', manual: 'manual', 'addr-fetch': 'addr', inbound: 'in' }
const NETWORKS = ['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns']

function table (rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  // The last column (the user agent) is left ragged; the others are aligned.
  return rows.map((r) => r.map((cell, i) => i === r.length - 1 ? cell : i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')
}

/**
 * The live peers as `bitcoin-cli -netinfo 4` shows them: a header of counts by direction and network,
 * then one line per peer (direction, type, network, age in minutes, ping in ms, ban score, id,
 * address, user agent), oldest first. `nowS` is the Unix time the ages are measured to.
 */
export function formatPeers (peers: readonly PeerRow[], info: { subversion: string, where: string }, nowS: number): string {
  const count = (inbound: boolean | undefined, network: string | undefined): string =>
    String(peers.filter((p) => (inbound === undefined || p.inbound === inbound) && (network === undefined || p.network === network)).length)
  const header = table([
    ['', ...NETWORKS, 'total'],
    ['in', ...NETWORKS.map((n) => count(true, n)), count(true, undefined)],
    ['out', ...NETWORKS.map((n) => count(false, n)), count(false, undefined)],
    ['total', ...NETWORKS.map((n) => count(undefined, n)), count(undefined, undefined)]
  ])
  const ms = (s: number | undefined): string => s === undefined ? '' : String(Math.round(s * 1000))
  const lines = table([
    ['<->', 'type', 'net', 'age', 'ping', 'minping', 'ban', 'id', 'address', 'version'],
    ...peers.map((p) => [
      p.inbound ? 'in' : 'out',
      TYPE_NAMES[p.connection_type] ?? p.connection_type,
      p.network,
      String(Math.max(0, Math.floor((nowS - p.conntime) / 60))),
      ms(p.pingtime),
      ms(p.minping),
      String(p.banscore ?? 0),
      String(p.id),
      p.addr,
      p.version === 0 ? '(handshaking)' : `${p.version}${p.subver}`
    ])
  ])
  return `peerkeeper ${info.subversion} at ${info.where}: ${peers.length} peer${peers.length === 1 ? '' : 's'}\n\n${header}\n\n${lines}\n` +
    '\n(age in minutes, ping and minping in ms)\n'
}
