import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isIPText } from '../netaddr/ip-text.ts'
import { ChainParamsError } from './errors.ts'

/** The networks that ship with peerkeeper, one JSON file each under chainparams/. */
export const NETWORK_NAMES = ['mainnet', 'testnet3', 'testnet4', 'signet', 'regtest'] as const
export type NetworkName = (typeof NETWORK_NAMES)[number]

export interface DnsSeed {
  readonly host: string
  /** The seed answers `x<services-hex>.<host>` with peers offering those services. */
  readonly hasFiltering: boolean
}

export interface ChainParams {
  readonly name: string
  /** The 4 network-magic bytes in wire order (mainnet: f9 be b4 d9). */
  readonly magic: Uint8Array
  readonly defaultPort: number
  /**
   * The JSON-RPC port of `peerkeeper run` on this network (Core's plus 100, so a node and bitcoind can share
   * a machine); undefined in a custom file that sets none, where the RPC falls back to DEFAULT_RPC_PORT.
   */
  readonly rpcPort?: number
  readonly protocolVersion: number
  readonly dnsSeeds: readonly DnsSeed[]
  /** Whether loopback/private addresses are acceptable peers (regtest-like test networks only). */
  readonly allowLocalAddresses: boolean
  /**
   * Service masks an automatic outbound peer must offer (every bit of at least one); [] = none, as a private
   * network of peerkeeper nodes (which advertise none) needs. Manual peers are exempt. @default NODE_NETWORK or NODE_NETWORK_LIMITED
   */
  readonly requiredServices?: readonly bigint[]
}

/** The chainparams/ folder of this package, found from this module whether it runs from src/ or dist/src/. */
export function chainParamsDir (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'chainparams', 'mainnet.json')
    if (existsSync(candidate)) return dirname(candidate)
    const parent = dirname(dir)
    if (parent === dir) throw new ChainParamsError('cannot find the chainparams/ folder of the peerkeeper package')
    dir = parent
  }
}

export function isNetworkName (name: string): name is NetworkName {
  return (NETWORK_NAMES as readonly string[]).includes(name)
}

/** Loads one of the shipped networks by name. */
export function loadNetwork (name: string): ChainParams {
  if (!isNetworkName(name)) {
    throw new ChainParamsError(`unknown network "${name}" (expected one of ${NETWORK_NAMES.join(', ')})`)
  }
  return loadChainParams(join(chainParamsDir(), `${name}.json`))
}

/** Loads and validates a chainparams JSON file (shipped or a user's custom network). */
export function loadChainParams (file: string): ChainParams {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ChainParamsError(`${file}: cannot read chainparams file (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new ChainParamsError(`${file}: not valid JSON (${(err as Error).message})`)
  }
  return parseChainParams(json, file)
}

/** Every seed is asked at once in a seeding round: Core lists 9 for mainnet; hundreds would be a mistake (or a flood). */
export const MAX_DNS_SEEDS = 32

/** A DNS name (RFC 1123 labels; `_` tolerated, as some seeds use it), an IP literal, or a v3 .onion literal (signet lists both kinds). */
function isSeedHost (host: string): boolean {
  if (isIPText(host)) return true
  if (/^[a-z2-7]{56}\.onion$/i.test(host)) return true
  if (host.length > 253) return false
  return host.split('.').every((label) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label))
}

/** Validates an already-parsed chainparams object; `source` names it in errors. */
export function parseChainParams (json: unknown, source: string): ChainParams {
  const fail = (field: string, expected: string): never => {
    throw new ChainParamsError(`${source}: field "${field}" must be ${expected}`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('(top level)', 'a JSON object')
  const o = json as Record<string, unknown>
  const name = o.name
  if (typeof name !== 'string' || !/^[a-z0-9_-]{1,32}$/i.test(name)) fail('name', 'a network name of 1-32 letters, digits, "-" or "_"')
  const magic = o.magic
  if (typeof magic !== 'string' || !/^[0-9a-f]{8}$/i.test(magic)) fail('magic', 'the 4 network-magic bytes as 8 hex digits in wire order, e.g. "f9beb4d9"')
  const port = o.defaultPort
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) fail('defaultPort', 'an integer port 1-65535')
  const rpcPort = o.rpcPort
  if (rpcPort !== undefined && (typeof rpcPort !== 'number' || !Number.isInteger(rpcPort) || rpcPort < 1 || rpcPort > 65535)) fail('rpcPort', 'an integer port 1-65535 (or absent)')
  const pver = o.protocolVersion
  if (typeof pver !== 'number' || !Number.isInteger(pver) || pver < 70001) fail('protocolVersion', 'an integer protocol version >= 70001')
  const local = o.allowLocalAddresses
  if (typeof local !== 'boolean') fail('allowLocalAddresses', 'true or false')
  if (!Array.isArray(o.dnsSeeds)) fail('dnsSeeds', 'an array of {"host": string, "hasFiltering": boolean}')
  if ((o.dnsSeeds as unknown[]).length > MAX_DNS_SEEDS) fail('dnsSeeds', `at most ${MAX_DNS_SEEDS} seeds (it has ${(o.dnsSeeds as unknown[]).length})`)
  const dnsSeeds = (o.dnsSeeds as unknown[]).map((seed, i): DnsSeed => {
    const s = seed as Record<string, unknown> | null
    if (typeof s !== 'object' || s === null) fail(`dnsSeeds[${i}]`, 'an object {"host": string, "hasFiltering": boolean}')
    if (typeof s?.host !== 'string' || !isSeedHost(s.host)) {
      fail(`dnsSeeds[${i}].host`, `a DNS name (labels of letters, digits and "-", at most 253 characters), an IP address or a .onion address${typeof s?.host === 'string' ? `, not ${JSON.stringify(s.host)}` : ''}`)
    }
    if (typeof s?.hasFiltering !== 'boolean') fail(`dnsSeeds[${i}].hasFiltering`, 'true or false')
    return { host: (s as { host: string }).host.toLowerCase(), hasFiltering: (s as { hasFiltering: boolean }).hasFiltering }
  })
  const required = o.requiredServices
  if (required !== undefined && (!Array.isArray(required) || !required.every((m) => typeof m === 'string' && /^0x[0-9a-f]{1,16}$/i.test(m)))) {
    fail('requiredServices', 'an array of service masks as hex strings, e.g. ["0x1", "0x400"] ([] = none)')
  }
  return {
    name: name as string,
    magic: Uint8Array.from(Buffer.from(magic as string, 'hex')),
    defaultPort: port as number,
    ...(rpcPort === undefined ? {} : { rpcPort: rpcPort as number }),
    protocolVersion: pver as number,
    dnsSeeds,
    allowLocalAddresses: local as boolean,
    ...(required === undefined ? {} : { requiredServices: (required as string[]).map((m) => BigInt(m)) })
  }
}
