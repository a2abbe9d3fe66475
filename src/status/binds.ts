import type { Subnet } from '../http/subnet.ts'
import { addrKey, type HostPort } from '../netaddr/netaddress.ts'
import { isLoopbackHost, rpcClientAllowed } from '../rpc/binds.ts'
import { StatusConfigError } from './errors.ts'

/** Where --statuslisten binds when it names no port: fixed so a bookmark keeps working; no Core or btcd port. */
export const DEFAULT_STATUS_PORT = 8435

/**
 * The page shows every peer's address and has no login, so it is exposed only when the operator says
 * who may read it: a non-loopback bind needs an allow list, as the RPC server's does.
 */
export function checkStatusBinds (binds: readonly HostPort[], allowIps: readonly Subnet[]): void {
  if (allowIps.length > 0) return
  const exposed = binds.filter((b) => !isLoopbackHost(b.host))
  if (exposed.length > 0) {
    throw new StatusConfigError(`${exposed.map(addrKey).join(', ')}: a non-loopback status page address needs an allow list of client subnets`)
  }
}

/** The per-request client check: loopback always, plus the allow list (the RPC server's rule). */
export const statusClientAllowed = rpcClientAllowed
