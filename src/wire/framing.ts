import { hash } from 'node:crypto'
import { ProtocolError } from './errors.ts'
import { HEADER_BYTES } from './messages.ts'

/** The 24-byte message header: magic 4, command 12 (ASCII, NUL-padded), payload length 4 LE, checksum 4. */

export const MAGIC_BYTES = 4
export const COMMAND_BYTES = 12
export const CHECKSUM_BYTES = 4

export interface FrameHeader {
  readonly command: string
  readonly length: number
  /** The first 4 bytes of double SHA-256 of the payload, as a little-endian u32. */
  readonly checksum: number
}

/** First 4 bytes of SHA-256(SHA-256(payload)), read as a little-endian u32 for cheap comparison. */
export function payloadChecksum (payload: Uint8Array): number {
  // One-shot hash(): much cheaper than createHash() objects for the many tiny messages (ping, verack).
  return hash('sha256', hash('sha256', payload, 'buffer'), 'buffer').readUInt32LE(0)
}

/** The 24-byte header for `payload`; `command` must already be valid (≤ 12 printable ASCII). */
export function encodeHeader (magic: Uint8Array, command: string, payload: Uint8Array): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES)
  const view = new DataView(header.buffer)
  header.set(magic.subarray(0, MAGIC_BYTES))
  for (let i = 0; i < command.length; i++) header[MAGIC_BYTES + i] = command.charCodeAt(i)
  view.setUint32(16, payload.length, true)
  view.setUint32(20, payloadChecksum(payload), true)
  return header
}

/**
 * The command in a 12-byte field, or undefined unless it is printable ASCII (0x20-0x7e) followed
 * only by NUL padding — Bitcoin Core's rule.
 */
export function readCommand (field: Uint8Array): string | undefined {
  let end = field.length
  for (let i = 0; i < field.length; i++) {
    const byte = field[i] as number
    if (byte === 0) {
      if (end === field.length) end = i
    } else if (end !== field.length || byte < 0x20 || byte > 0x7e) {
      return undefined
    }
  }
  return String.fromCharCode(...field.subarray(0, end))
}

/**
 * Checks and parses a complete 24-byte header. Errors are fatal: the magic, command or length
 * cannot be trusted, so neither can the position of the next message.
 */
export function parseHeader (header: Uint8Array, magic: Uint8Array, maxPayloadBytes: number): FrameHeader | ProtocolError {
  for (let i = 0; i < MAGIC_BYTES; i++) {
    if (header[i] !== magic[i]) {
      const hex = (b: Uint8Array): string => Buffer.from(b.subarray(0, MAGIC_BYTES)).toString('hex')
      return new ProtocolError('bad-magic', `network magic ${hex(header)} is not ours (${hex(magic)})`)
    }
  }
  const command = readCommand(header.subarray(MAGIC_BYTES, MAGIC_BYTES + COMMAND_BYTES))
  if (command === undefined) return new ProtocolError('bad-command', 'command field is not printable ASCII followed by NUL padding')
  const view = new DataView(header.buffer, header.byteOffset, HEADER_BYTES)
  const length = view.getUint32(16, true)
  if (length > maxPayloadBytes) {
    return new ProtocolError('oversized', `${command} declares a ${length}-byte payload, more than ${maxPayloadBytes}`, command)
  }
  return { command, length, checksum: view.getUint32(20, true) }
}
