import { randomBytes } from 'node:crypto'
import { decodeMessagePayload } from '../wire/decoder.ts'
import { WireEncodeError } from '../wire/errors.ts'
import { MAX_PROTOCOL_MESSAGE_BYTES, type KnownMessage, type Message } from '../wire/messages.ts'
import { encodePayload } from '../wire/payloads.ts'
import { MAGIC_BYTES } from '../wire/framing.ts'
import type { ProtocolError } from '../wire/errors.ts'
import { detectTransport, isForeignV1Version, V1_PREFIX_BYTES } from './detect.ts'
import { ELLSWIFT_BYTES, ellswiftCreate, type EllswiftKeyPair, type RandomBytes } from './ellswift.ts'
import { MissingGarbageTerminatorError, PacketAuthenticationError, V2TransportError, V2UsageError, WrongNetworkError } from './errors.ts'
import { deriveSessionKeys, GARBAGE_TERMINATOR_BYTES, v2Ecdh } from './keys.ts'
import { decodeContents, encodeContents, LONG_TYPE_BYTES } from './message-types.ts'
import { PacketCipher } from './packet-cipher.ts'
import { PacketReader } from './packet-reader.ts'

/** Garbage each side may send after its key (BIP324). */
export const MAX_GARBAGE_BYTES = 4095
/** Largest contents accepted: long type marker + command + the v1 payload limit (Core's MAX_CONTENTS_LEN). */
export const MAX_V2_CONTENTS_BYTES = LONG_TYPE_BYTES + MAX_PROTOCOL_MESSAGE_BYTES
/** BIP324 leaves the version packet's contents to future versions; today it is empty. */
const VERSION_CONTENTS = new Uint8Array(0)
const EMPTY = new Uint8Array(0)

export type V2Role = 'initiator' | 'responder'

/**
 * Where the receiving side is: 'maybe-v1' (responder, first 16 bytes), 'key' (their 64-byte key),
 * 'garbage' (up to the terminator), 'version' (their version packet), 'app' (messages), or the ends:
 * 'v1' (responder saw a v1 peer), 'closed' (after an error or close()).
 */
export type V2State = 'maybe-v1' | 'key' | 'garbage' | 'version' | 'app' | 'v1' | 'closed'

/** What push() produces, in stream order. An 'error' is always last, and the session is then closed. */
export type V2Event =
  /** Bytes to write to the peer now (our key and garbage, garbage terminator and version packet). */
  | { readonly kind: 'send', readonly bytes: Uint8Array }
  /** Responder only: the peer speaks v1. `bytes` (all received so far) go to a v1 MessageDecoder; the session is done. */
  | { readonly kind: 'v1', readonly bytes: Uint8Array }
  /** Their version packet authenticated: the connection is v2; application messages may follow. */
  | { readonly kind: 'ready', readonly sessionId: Uint8Array }
  /** An application message, or its non-fatal payload error (the same values the v1 decoder yields). */
  | { readonly kind: 'message', readonly message: Message | ProtocolError, readonly contentsBytes: number }
  /** A packet with an unassigned short id or a malformed 12-byte type: dropped, as Core drops it (no penalty). */
  | { readonly kind: 'unknown-type', readonly contentsBytes: number }
  | { readonly kind: 'error', readonly error: V2TransportError }

export interface V2SessionComponents {
  /** The network magic: it salts the keys and is half of the v1 prefix. */
  readonly magic: Uint8Array
  readonly role: V2Role
  /** Key, encoding and garbage randomness; node's CSPRNG unless a test seeds it. */
  readonly random?: RandomBytes
}

export interface V2SessionInit {
  /** Our key pair (tests and vectors); otherwise a fresh ephemeral one per session. */
  keyPair?: EllswiftKeyPair
  /** The exact garbage to send (≤ 4095 bytes); otherwise `garbageBytes` random bytes. */
  garbage?: Uint8Array
  /** @default uniform in 0..4095, as Core sends, so the first flight has no fixed length. */
  garbageBytes?: number
  /** @default MAX_V2_CONTENTS_BYTES; a longer announced packet is an OversizedPacketError before any is buffered. */
  maxContentsBytes?: number
}

/**
 * One BIP324 connection as a pure state machine: bytes in, events and bytes out; no sockets, no
 * timers (the caller's handshake timeout covers a stalled handshake). The responder also detects a
 * v1 peer from the first 16 bytes. Receive buffers never exceed 64 bytes of key, 4111 of garbage
 * and terminator, or one packet of at most maxContentsBytes + 20.
 */
export class V2Session {
  readonly #magic: Uint8Array
  readonly #role: V2Role
  readonly #random: RandomBytes
  readonly #init: V2SessionInit
  readonly #maxContentsBytes: number
  #state: V2State
  #started = false
  #keyPair: EllswiftKeyPair | undefined
  #sentGarbage: Uint8Array = EMPTY
  readonly #theirKey = new Uint8Array(ELLSWIFT_BYTES)
  #theirKeyFill = 0
  #garbage: Uint8Array | undefined
  #garbageFill = 0
  #cipher: PacketCipher | undefined
  #reader: PacketReader | undefined
  #recvGarbageTerminator: Uint8Array = EMPTY
  #recvAad: Uint8Array = EMPTY
  #sendAad: Uint8Array = EMPTY
  /** Derived with the keys; published only once their version packet proves they hold the same keys. */
  #pendingSessionId: Uint8Array = EMPTY
  #sessionId: Uint8Array | undefined
  #receivedBytes = 0

  constructor (components: V2SessionComponents, init: V2SessionInit = {}) {
    if (components.magic.length !== MAGIC_BYTES) throw new V2UsageError(`network magic must be 4 bytes, got ${components.magic.length}`)
    const garbage = init.garbage?.length ?? init.garbageBytes ?? 0
    if (!Number.isSafeInteger(garbage) || garbage < 0 || garbage > MAX_GARBAGE_BYTES) throw new V2UsageError(`garbage must be 0..${MAX_GARBAGE_BYTES} bytes, got ${garbage}`)
    const max = init.maxContentsBytes ?? MAX_V2_CONTENTS_BYTES
    if (!Number.isSafeInteger(max) || max < 0 || max > MAX_V2_CONTENTS_BYTES) throw new V2UsageError(`maxContentsBytes must be 0..${MAX_V2_CONTENTS_BYTES}, got ${max}`)
    this.#magic = components.magic.slice()
    this.#role = components.role
    this.#random = components.random ?? ((n) => randomBytes(n))
    this.#init = init
    this.#maxContentsBytes = max
    this.#state = components.role === 'initiator' ? 'key' : 'maybe-v1'
  }

  get role (): V2Role { return this.#role }
  get state (): V2State { return this.#state }
  /** Set once their version packet authenticated (the 'ready' event); the same on both ends. */
  get sessionId (): Uint8Array | undefined { return this.#sessionId }
  /** True once encode() may be called: their key arrived, our terminator and version packet are out. */
  get canSend (): boolean { return this.#cipher !== undefined && this.#state !== 'closed' }
  /** Bytes held for an incomplete key, garbage or packet. */
  get bufferedBytes (): number { return this.#theirKeyFill + this.#garbageFill + (this.#reader?.bufferedBytes ?? 0) }

  /**
   * Initiator: nothing has come back on a connection that then closed, which is how a v1-only peer
   * answers our key. The caller may reconnect once with v1 (Core's ShouldReconnectV1).
   */
  get shouldReconnectV1 (): boolean {
    return this.#role === 'initiator' && this.#started && this.#receivedBytes === 0
  }

  /** The bytes that open the connection: the initiator's key and garbage; nothing for a responder, who waits. */
  start (): Uint8Array {
    if (this.#started) throw new V2UsageError('start() was already called')
    this.#started = true
    return this.#role === 'initiator' ? this.#keyAndGarbage() : EMPTY
  }

  /** Consumes received bytes in any chunking; never throws for any input (errors are events). */
  push (chunk: Uint8Array): V2Event[] {
    if (!this.#started) throw new V2UsageError('push() before start()')
    const out: V2Event[] = []
    if (!this.#reading()) return out
    this.#receivedBytes += chunk.length
    let pos = 0
    try {
      while (pos < chunk.length && this.#reading()) {
        if (this.#state === 'maybe-v1') pos = this.#readMaybeV1(chunk, pos, out)
        else if (this.#state === 'key') pos = this.#readKey(chunk, pos, out)
        else if (this.#state === 'garbage') pos = this.#readGarbage(chunk, pos)
        else pos = this.#readPackets(chunk, pos, out)
      }
    } catch (err) {
      if (!(err instanceof V2TransportError)) throw err
      this.close()
      out.push({ kind: 'error', error: err })
    }
    return out
  }

  /** The packet carrying `message`. Throws V2UsageError before canSend, WireEncodeError for an unencodable message. */
  encode (message: KnownMessage): Uint8Array {
    const payload = encodePayload(message)
    if (payload.length > MAX_PROTOCOL_MESSAGE_BYTES) throw new WireEncodeError(`${message.command} payload is ${payload.length} bytes, more than ${MAX_PROTOCOL_MESSAGE_BYTES}`)
    return this.#encrypt(encodeContents(message.command, payload), false)
  }

  /** A decoy packet of `contentsBytes` zero bytes: the peer authenticates and drops it. Never sent by default. */
  encodeDecoy (contentsBytes: number): Uint8Array {
    return this.#encrypt(new Uint8Array(contentsBytes), true)
  }

  /** Stops the session: push() returns nothing more and encode() refuses. */
  close (): void {
    this.#state = 'closed'
    this.#garbage = undefined
    this.#garbageFill = 0
    this.#theirKeyFill = 0
    this.#reader = undefined
  }

  #reading (): boolean {
    return this.#state !== 'closed' && this.#state !== 'v1'
  }

  #encrypt (contents: Uint8Array, ignore: boolean): Uint8Array {
    if (this.#cipher === undefined || this.#state === 'closed') throw new V2UsageError(`cannot send in state ${this.#state} before the peer's key arrived`)
    const packet = this.#cipher.encrypt(contents, { aad: this.#sendAad, ignore })
    this.#sendAad = EMPTY
    return packet
  }

  #keyAndGarbage (): Uint8Array {
    this.#keyPair = this.#init.keyPair ?? ellswiftCreate(this.#random)
    this.#sentGarbage = this.#init.garbage ?? this.#random(this.#init.garbageBytes ?? randomGarbageLength(this.#random))
    return Buffer.concat([this.#keyPair.ellswift, this.#sentGarbage])
  }

  #readMaybeV1 (chunk: Uint8Array, pos: number, out: V2Event[]): number {
    const take = Math.min(V1_PREFIX_BYTES - this.#theirKeyFill, chunk.length - pos)
    this.#theirKey.set(chunk.subarray(pos, pos + take), this.#theirKeyFill)
    this.#theirKeyFill += take
    const guess = detectTransport(this.#theirKey.subarray(0, this.#theirKeyFill), this.#magic)
    if (guess === 'v1') {
      const bytes = Buffer.concat([this.#theirKey.subarray(0, V1_PREFIX_BYTES), chunk.subarray(pos + take)])
      this.close()
      this.#state = 'v1'
      out.push({ kind: 'v1', bytes })
      return chunk.length
    }
    if (guess === 'v2') {
      this.#state = 'key'
      out.push({ kind: 'send', bytes: this.#keyAndGarbage() })
    }
    return pos + take
  }

  #readKey (chunk: Uint8Array, pos: number, out: V2Event[]): number {
    const take = Math.min(ELLSWIFT_BYTES - this.#theirKeyFill, chunk.length - pos)
    this.#theirKey.set(chunk.subarray(pos, pos + take), this.#theirKeyFill)
    this.#theirKeyFill += take
    if (this.#role === 'responder' && isForeignV1Version(this.#theirKey.subarray(0, this.#theirKeyFill))) {
      throw new WrongNetworkError(`a v1 version message under network magic ${Buffer.from(this.#theirKey.subarray(0, 4)).toString('hex')}, not ours`)
    }
    if (this.#theirKeyFill < ELLSWIFT_BYTES) return pos + take
    const keyPair = this.#keyPair
    if (keyPair === undefined) throw new Error('V2Session: no key pair in state key') // unreachable: set before leaving maybe-v1/start
    const theirs = this.#theirKey.slice()
    const secret = v2Ecdh(keyPair.privateKey, theirs, keyPair.ellswift, this.#role === 'initiator')
    const keys = deriveSessionKeys(secret, this.#magic, this.#role === 'initiator')
    this.#cipher = new PacketCipher(keys)
    this.#reader = new PacketReader(this.#cipher, this.#maxContentsBytes)
    this.#recvGarbageTerminator = keys.recvGarbageTerminator
    this.#pendingSessionId = keys.sessionId
    this.#theirKeyFill = 0
    this.#garbage = new Uint8Array(MAX_GARBAGE_BYTES + GARBAGE_TERMINATOR_BYTES)
    this.#state = 'garbage'
    // The first packet we send authenticates the garbage we sent.
    this.#sendAad = this.#sentGarbage
    this.#sentGarbage = EMPTY
    out.push({ kind: 'send', bytes: Buffer.concat([keys.sendGarbageTerminator, this.#encrypt(VERSION_CONTENTS, false)]) })
    return pos + take
  }

  #readGarbage (chunk: Uint8Array, pos: number): number {
    const garbage = this.#garbage as Uint8Array
    const before = this.#garbageFill
    const take = Math.min(garbage.length - before, chunk.length - pos)
    garbage.set(chunk.subarray(pos, pos + take), before)
    this.#garbageFill += take
    // Only a terminator ending in the new bytes is new: search from 15 bytes before them.
    const from = Math.max(0, before - GARBAGE_TERMINATOR_BYTES + 1)
    const at = Buffer.from(garbage.buffer, garbage.byteOffset, this.#garbageFill).indexOf(this.#recvGarbageTerminator, from)
    if (at >= 0) {
      this.#recvAad = garbage.slice(0, at)
      this.#garbage = undefined
      this.#garbageFill = 0
      this.#state = 'version'
      return pos + (at + GARBAGE_TERMINATOR_BYTES - before)
    }
    if (this.#garbageFill === garbage.length) {
      throw new MissingGarbageTerminatorError(`no garbage terminator within ${MAX_GARBAGE_BYTES} bytes of garbage`)
    }
    return pos + take
  }

  #readPackets (chunk: Uint8Array, pos: number, out: V2Event[]): number {
    const reader = this.#reader as PacketReader
    const { next, packet } = reader.read(chunk, pos)
    if (packet === undefined) return next
    const decrypted = (this.#cipher as PacketCipher).decrypt(packet, this.#recvAad)
    if (decrypted === undefined) throw new PacketAuthenticationError(`a ${packet.length}-byte packet failed authentication`)
    this.#recvAad = EMPTY
    if (decrypted.ignore) return next
    if (this.#state === 'version') {
      // The version packet's contents are for future versions to negotiate with; today they are ignored.
      this.#state = 'app'
      this.#sessionId = this.#pendingSessionId
      out.push({ kind: 'ready', sessionId: this.#sessionId })
      return next
    }
    const contents = decodeContents(decrypted.contents)
    if (contents === undefined) out.push({ kind: 'unknown-type', contentsBytes: decrypted.contents.length })
    else out.push({ kind: 'message', message: decodeMessagePayload(contents.command, contents.payload), contentsBytes: decrypted.contents.length })
    return next
  }
}

/** A garbage length uniform in 0..4095 (two random bytes, 12 bits kept). */
function randomGarbageLength (random: RandomBytes): number {
  const bytes = random(2)
  return (((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)) & MAX_GARBAGE_BYTES
}
