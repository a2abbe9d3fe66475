/** dns2's message class (encoding and decoding). */
export type DnsPacket = typeof import('dns2').Packet

let loading: Promise<DnsPacket> | undefined

/** dns2, loaded at the first query: a node that never resolves a name (--nodnsseed, IP peers) never loads it. */
export async function loadDnsPacket (): Promise<DnsPacket> {
  loading ??= import('dns2').then((m) => m.Packet)
  return await loading
}
