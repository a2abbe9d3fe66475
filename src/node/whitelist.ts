import { hostBytes, maskBytes, type BanTarget } from '../banlist/ban-target.ts'

/** --whitelist: peers in these subnets are never scored or banned (btcd's whitelist; Core's noban). */
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
