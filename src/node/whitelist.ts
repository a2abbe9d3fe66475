import { hostBytes, maskBytes, parseBanTarget, type BanTarget } from '../banlist/ban-target.ts'
import { UsageError } from '../util/errors.ts'

/**
 * --whitelist: peers in these subnets are never scored or banned (btcd's whitelist; Core's noban).
 * A subnet is written like a ban target (IP, IP/prefix, or a .onion/.i2p host), so the ban list's parser is reused.
 */
export function parseWhitelist (values: readonly string[]): BanTarget[] {
  return values.map((value) => {
    try {
      return parseBanTarget(value)
    } catch (err) {
      throw new UsageError(`--whitelist: ${(err as Error).message}`)
    }
  })
}

export function isWhitelisted (whitelist: readonly BanTarget[], host: string): boolean {
  if (whitelist.length === 0) return false
  const bytes = hostBytes(host)
  return whitelist.some((w) => {
    if (w.bytes === undefined) return w.key === host
    if (bytes === undefined || bytes.length !== w.bytes.length) return false
    const masked = maskBytes(bytes, w.prefixBits)
    return masked.every((b, i) => b === w.bytes?.[i])
  })
}
