import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Writes a regtest-like chainparams file for a network on 127.0.0.0/8: loopback peers are acceptable
 * and there are no DNS seeds unless named (answered by a DNS server on loopback, given with
 * --dnsserver), so nothing outside the machine is ever contacted. Writes it into `dir` (a temp dir the
 * caller removes) and returns its path.
 */
export function writeLocalChainParams (defaultPort: number, dir: string, dnsSeeds: readonly string[] = []): string {
  const file = join(dir, 'localnet.json')
  writeFileSync(file, JSON.stringify({
    name: 'localnet', magic: 'fabfb5da', defaultPort, protocolVersion: 70016, allowLocalAddresses: true,
    dnsSeeds: dnsSeeds.map((host) => ({ host, hasFiltering: false }))
  }))
  return file
}
