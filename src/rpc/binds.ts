import { addrKey, type HostPort } from '../netaddr/netaddress.ts'
import { isLoopbackIp, subnetContains, type Subnet } from '../http/subnet.ts'
import { RpcConfigError } from './errors.ts'

/** The RPC port when a custom chainparams file names none: mainnet's (Core's 8332 plus 100). */
export const DEFAULT_RPC_PORT = 8432

/** The RPC port of a network. */
export function rpcPortOf (params: { readonly rpcPort?: number }): number {
  return params.rpcPort ?? DEFAULT_RPC_PORT
}

/** Where the RPC listens without --rpclisten: loopback IPv4 only (where bitcoin-cli style clients look). */
export function defaultRpcBinds (port: number): HostPort[] {
  return [{ host: '127.0.0.1', port }]
}

/** A bind host that only this machine can reach: a loopback IP literal, or `localhost`. */
export function isLoopbackHost (host: string): boolean {
  return host === 'localhost' || isLoopbackIp(host)
}

/**
 * Core's -rpcallowip rule, stricter: binding an address other machines can reach (a routable IP,
 * 0.0.0.0, ::, a host name) is refused unless an allow list says which clients may connect.
 */
export function checkRpcBinds (binds: readonly HostPort[], allowIps: readonly Subnet[]): void {
  if (allowIps.length > 0) return
  const exposed = binds.filter((b) => !isLoopbackHost(b.host))
  if (exposed.length > 0) {
    throw new RpcConfigError(`--rpclisten ${exposed.map(addrKey).join(', ')}: a non-loopback RPC address needs --rpcallowip CIDR (which clients may connect)`)
  }
}

/** The per-request client check: loopback always, plus the allow list. */
export function rpcClientAllowed (allowIps: readonly Subnet[]): (ip: string) => boolean {
  return (ip) => isLoopbackIp(ip) || allowIps.some((s) => subnetContains(s, ip))
}
