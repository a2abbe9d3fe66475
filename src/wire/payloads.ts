import type { TimedAddress } from '../netaddr/netaddress.ts'
import {
  ADDR_V1_ENTRY_BYTES, ADDR_V2_MIN_ENTRY_BYTES, isAddrV1Compatible, readAddrV1Entry, readAddrV2Entry,
  readVersionNetAddr, writeAddrV1Entry, writeAddrV2Entry, writeVersionNetAddr
} from './addresses.ts'
import { ByteReader, ByteWriter } from './bytes.ts'
import { WireEncodeError } from './errors.ts'
import { MAX_ADDR_ENTRIES, MAX_USER_AGENT_BYTES, type KnownMessage, type Message } from './messages.ts'

/**
 * Payload codecs, one per known command. Decoding ignores bytes after the last field of every
 * message, as Bitcoin Core does (newer protocol versions append fields, e.g. `version`'s relay).
 */

type Command = KnownMessage['command']
type MessageFor<C extends Command> = KnownMessage & { readonly command: C }

interface PayloadCodec<C extends Command> {
  encode: (w: ByteWriter, message: MessageFor<C>) => void
  decode: (r: ByteReader, command: C) => MessageFor<C>
}

function empty<C extends Command> (): PayloadCodec<C> {
  return { encode: () => {}, decode: (_r, command) => ({ command }) as MessageFor<C> }
}

function nonce<C extends 'ping' | 'pong'> (): PayloadCodec<C> {
  return {
    encode: (w, m) => { w.u64le(m.nonce, `${m.command} nonce`) },
    decode: (r, command) => ({ command, nonce: r.u64le(`${command} nonce`) }) as MessageFor<C>
  }
}

function addrList<C extends 'addr' | 'addrv2'> (
  minEntryBytes: number,
  read: (r: ByteReader) => TimedAddress | undefined,
  write: (w: ByteWriter, entry: TimedAddress) => void
): PayloadCodec<C> {
  return {
    encode: (w, m) => {
      // v1 cannot carry Tor v3 or I2P; those entries are left out rather than failing the send.
      const entries = m.command === 'addr' ? m.addrs.filter((a) => isAddrV1Compatible(a.addr)) : m.addrs
      if (entries.length > MAX_ADDR_ENTRIES) throw new WireEncodeError(`${m.command} has ${entries.length} entries, more than ${MAX_ADDR_ENTRIES}`)
      w.compactSize(entries.length)
      for (const entry of entries) write(w, entry)
    },
    decode: (r, command) => {
      const count = r.count(minEntryBytes, MAX_ADDR_ENTRIES, `${command} entry count`)
      const addrs: TimedAddress[] = []
      for (let i = 0; i < count; i++) {
        const entry = read(r)
        if (entry !== undefined) addrs.push(entry)
      }
      return { command, addrs } as MessageFor<C>
    }
  }
}

const version: PayloadCodec<'version'> = {
  encode: (w, m) => {
    w.i32le(m.version, 'version').u64le(m.services, 'services').i64le(m.timestamp, 'timestamp')
    writeVersionNetAddr(w, m.addrRecv)
    writeVersionNetAddr(w, m.addrFrom)
    w.u64le(m.nonce, 'nonce').varString(m.userAgent, MAX_USER_AGENT_BYTES, 'user agent').i32le(m.startHeight, 'start height').bool(m.relay)
  },
  decode: (r, command) => ({
    command,
    version: r.i32le('version'),
    services: r.u64le('services'),
    timestamp: r.i64le('timestamp'),
    addrRecv: readVersionNetAddr(r, 'addr_recv'),
    addrFrom: readVersionNetAddr(r, 'addr_from'),
    nonce: r.u64le('nonce'),
    userAgent: r.varString(MAX_USER_AGENT_BYTES, 'user agent'),
    startHeight: r.i32le('start height'),
    // BIP 37: peers before 70001 omit the flag, which then means "relay".
    relay: r.remaining === 0 ? true : r.bool('relay')
  })
}

const CODEC_TABLE: { readonly [C in Command]: PayloadCodec<C> } = {
  version,
  verack: empty(),
  ping: nonce(),
  pong: nonce(),
  getaddr: empty(),
  addr: addrList(ADDR_V1_ENTRY_BYTES, readAddrV1Entry, writeAddrV1Entry),
  addrv2: addrList(ADDR_V2_MIN_ENTRY_BYTES, readAddrV2Entry, writeAddrV2Entry),
  sendaddrv2: empty(),
  wtxidrelay: empty(),
  sendheaders: empty(),
  sendcmpct: {
    encode: (w, m) => { w.bool(m.announce).u64le(m.version, 'sendcmpct version') },
    decode: (r, command) => ({ command, announce: r.bool('announce'), version: r.u64le('sendcmpct version') })
  },
  feefilter: {
    encode: (w, m) => { w.i64le(m.feeRate, 'fee rate') },
    decode: (r, command) => ({ command, feeRate: r.i64le('fee rate') })
  }
}

/** The table keyed by wire command; a Map so commands like "constructor" never reach Object.prototype. */
const CODECS = new Map(Object.entries(CODEC_TABLE) as unknown as Array<[string, {
  encode: (w: ByteWriter, message: KnownMessage) => void
  decode: (r: ByteReader, command: string) => KnownMessage
}]>)

/** The payload bytes of `message`; throws WireEncodeError when a field does not fit its wire type. */
export function encodePayload (message: KnownMessage): Uint8Array {
  const codec = CODECS.get(message.command)
  if (codec === undefined) throw new WireEncodeError(`cannot encode unknown command "${message.command}"`)
  const w = new ByteWriter(message.command === 'addr' || message.command === 'addrv2' ? 16 + message.addrs.length * 40 : 128)
  codec.encode(w, message)
  return w.finish()
}

/**
 * The message in `payload`. Unknown commands come back as UnknownMessage with a copy of their payload;
 * a known command that does not decode throws ReadPastEndError or InvalidPayloadError.
 */
export function decodePayload (command: string, payload: Uint8Array): Message {
  const codec = CODECS.get(command)
  if (codec === undefined) return { command, unknown: true, payload: payload.slice() }
  return codec.decode(new ByteReader(payload), command)
}
