import { createHash } from 'node:crypto'
import { MAINNET_MAGIC } from './wire-arbitraries.ts'

/** Hand-built frames for tests: any command and payload, with a correct (or chosen) checksum. */

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
export const unhex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'))

export function doubleSha256Prefix (payload: Uint8Array): Uint8Array {
  const once = createHash('sha256').update(payload).digest()
  return createHash('sha256').update(once).digest().subarray(0, 4)
}

/** A 24-byte header + payload; `declaredLength` and `checksum` override the true values. */
export function frame (command: string, payload: Uint8Array, options: { magic?: Uint8Array, declaredLength?: number, checksum?: Uint8Array } = {}): Uint8Array {
  const out = new Uint8Array(24 + payload.length)
  out.set(options.magic ?? MAINNET_MAGIC)
  out.set(Buffer.from(command, 'latin1').subarray(0, 12), 4)
  new DataView(out.buffer).setUint32(16, options.declaredLength ?? payload.length, true)
  out.set(options.checksum ?? doubleSha256Prefix(payload), 20)
  out.set(payload, 24)
  return out
}
