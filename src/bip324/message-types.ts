import { COMMAND_BYTES, readCommand } from '../wire/framing.ts'

/**
 * The message type at the start of v2 packet contents: one byte 1..255 for the BIP's short ids,
 * or 0 followed by the 12-byte NUL-padded ASCII command of v1 for everything else.
 */

/** The BIP324 table, index = short id (0 means "12 bytes follow"). Ids from 29 on are not assigned by BIP324. */
export const SHORT_MESSAGE_TYPES: readonly string[] = [
  '', 'addr', 'block', 'blocktxn', 'cmpctblock', 'feefilter', 'filteradd', 'filterclear',
  'filterload', 'getblocks', 'getblocktxn', 'getdata', 'getheaders', 'headers', 'inv', 'mempool',
  'merkleblock', 'notfound', 'ping', 'pong', 'sendcmpct', 'tx', 'getcfilters', 'cfilter',
  'getcfheaders', 'cfheaders', 'getcfcheckpt', 'cfcheckpt', 'addrv2'
]

const SHORT_IDS: ReadonlyMap<string, number> = new Map(SHORT_MESSAGE_TYPES.map((command, id) => [command, id] as const).slice(1))
/** The marker byte and the v1 command field. */
export const LONG_TYPE_BYTES = 1 + COMMAND_BYTES

/** Packet contents for `command` (a valid v1 command: ≤ 12 printable ASCII) and its payload. */
export function encodeContents (command: string, payload: Uint8Array): Uint8Array {
  const id = SHORT_IDS.get(command)
  const typeBytes = id === undefined ? LONG_TYPE_BYTES : 1
  const out = new Uint8Array(typeBytes + payload.length)
  if (id === undefined) {
    for (let i = 0; i < command.length; i++) out[1 + i] = command.charCodeAt(i)
  } else {
    out[0] = id
  }
  out.set(payload, typeBytes)
  return out
}

export interface DecodedContents {
  readonly command: string
  readonly payload: Uint8Array
}

/** The command and payload of packet contents, or undefined for an unassigned short id or a malformed long type. */
export function decodeContents (contents: Uint8Array): DecodedContents | undefined {
  if (contents.length === 0) return undefined
  const first = contents[0] as number
  if (first !== 0) {
    const command = SHORT_MESSAGE_TYPES[first]
    return command === undefined ? undefined : { command, payload: contents.subarray(1) }
  }
  if (contents.length < LONG_TYPE_BYTES) return undefined
  const command = readCommand(contents.subarray(1, LONG_TYPE_BYTES))
  return command === undefined ? undefined : { command, payload: contents.subarray(LONG_TYPE_BYTES) }
}
