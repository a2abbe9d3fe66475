import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ellswiftCreate, type RandomBytes } from '../../src/bip324/ellswift.ts'
import { deriveSessionKeys, v2Ecdh, type SessionKeys } from '../../src/bip324/keys.ts'
import { PacketCipher } from '../../src/bip324/packet-cipher.ts'
import { V2Session, type V2Event, type V2SessionInit } from '../../src/bip324/session.ts'

/** Shared pieces of the BIP324 tests: vectors, a seeded byte source, two sessions wired together, a hand-driven peer. */

export const MAINNET_MAGIC = Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9)
export const REGTEST_MAGIC = Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda)

/** The rows of test/fixtures/bip324/<name>.csv as header → cell records (the files have no quoted cells). */
export function readVectors (name: string): Array<Record<string, string>> {
  const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'bip324', `${name}.csv`), 'utf8')
  const [header, ...rows] = text.trim().split(/\r?\n/).map((line) => line.split(','))
  if (header === undefined) throw new Error(`${name}.csv is empty`)
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])))
}

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Deterministic bytes: SHA-256 of (seed, counter) blocks, so a failing run repeats exactly. */
export function seededRandom (seed: string): RandomBytes {
  let counter = 0
  return (length) => {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i += 32) out.set(createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, Math.min(32, length - i)), i)
    return out
  }
}

export interface SessionPair {
  readonly initiator: V2Session
  readonly responder: V2Session
  /** Events each side produced other than 'send' (those bytes were delivered to the other side). */
  readonly initiatorEvents: V2Event[]
  readonly responderEvents: V2Event[]
  /** Delivers `bytes` to `to` in chunks of `chunkBytes`, relaying every answer in order until both are quiet. */
  deliver: (to: 'initiator' | 'responder', bytes: Uint8Array) => void
}

/** Two sessions connected in memory; after it returns the handshake has run. */
export function sessionPair (options: { seed?: string, init?: V2SessionInit, magic?: Uint8Array, responderMagic?: Uint8Array, chunkBytes?: number } = {}): SessionPair {
  const random = seededRandom(options.seed ?? 'pair')
  const magic = options.magic ?? REGTEST_MAGIC
  const initiator = new V2Session({ magic, role: 'initiator', random }, options.init)
  const responder = new V2Session({ magic: options.responderMagic ?? magic, role: 'responder', random }, options.init)
  const initiatorEvents: V2Event[] = []
  const responderEvents: V2Event[] = []
  const chunkBytes = options.chunkBytes ?? Number.MAX_SAFE_INTEGER
  // One FIFO per direction, as on a TCP connection: an answer never overtakes bytes sent before it.
  const queues = { initiator: [] as Uint8Array[], responder: [] as Uint8Array[] }
  let pumping = false
  const deliver = (to: 'initiator' | 'responder', bytes: Uint8Array): void => {
    for (let i = 0; i < bytes.length; i += chunkBytes) queues[to].push(bytes.subarray(i, i + chunkBytes))
    if (pumping) return
    pumping = true
    for (;;) {
      const to = queues.responder.length > 0 ? 'responder' : queues.initiator.length > 0 ? 'initiator' : undefined
      if (to === undefined) break
      const session = to === 'initiator' ? initiator : responder
      for (const event of session.push(queues[to].shift() as Uint8Array)) {
        if (event.kind === 'send') deliver(to === 'initiator' ? 'responder' : 'initiator', event.bytes)
        else (to === 'initiator' ? initiatorEvents : responderEvents).push(event)
      }
    }
    pumping = false
  }
  expectEmpty(responder.start())
  deliver('responder', initiator.start())
  return { initiator, responder, initiatorEvents, responderEvents, deliver }
}

function expectEmpty (bytes: Uint8Array): void {
  if (bytes.length !== 0) throw new Error('a responder sends nothing before it hears from the initiator')
}

/**
 * The other end of a session driven by hand, to send what a well-behaved V2Session never would
 * (decoys before the version packet, unassigned type ids, oversized lengths, tampered bytes).
 */
export class ManualPeer {
  readonly ellswift: Uint8Array
  readonly #privateKey: Uint8Array
  readonly #initiating: boolean
  readonly #magic: Uint8Array
  keys: SessionKeys | undefined
  cipher: PacketCipher | undefined

  constructor (initiating: boolean, seed = 'manual', magic = REGTEST_MAGIC) {
    const pair = ellswiftCreate(seededRandom(seed))
    this.ellswift = pair.ellswift
    this.#privateKey = pair.privateKey
    this.#initiating = initiating
    this.#magic = magic
  }

  /** Keys from the other side's 64-byte key; returns our garbage terminator. */
  handshake (theirEllswift: Uint8Array): Uint8Array {
    const secret = v2Ecdh(this.#privateKey, theirEllswift, this.ellswift, this.#initiating)
    this.keys = deriveSessionKeys(secret, this.#magic, this.#initiating)
    this.cipher = new PacketCipher(this.keys)
    return this.keys.sendGarbageTerminator
  }

  packet (contents: Uint8Array, options: { aad?: Uint8Array, ignore?: boolean } = {}): Uint8Array {
    if (this.cipher === undefined) throw new Error('handshake() first')
    return this.cipher.encrypt(contents, options)
  }
}

/** A started responder on regtest with seeded randomness. */
export function startedResponder (seed = 'resp', init: V2SessionInit = {}): V2Session {
  const session = new V2Session({ magic: REGTEST_MAGIC, role: 'responder', random: seededRandom(seed) }, init)
  session.start()
  return session
}

/** A ManualPeer initiator that has sent its key (and `garbage`) to `responder` and read the answer; returns its terminator too. */
export function manualInitiator (responder: V2Session, garbage: Uint8Array = new Uint8Array(0), seed = 'manual'): { peer: ManualPeer, terminator: Uint8Array } {
  const peer = new ManualPeer(true, seed)
  const first = responder.push(Buffer.concat([peer.ellswift, garbage]))[0]
  if (first?.kind !== 'send') throw new Error('the responder answered no key')
  return { peer, terminator: peer.handshake(first.bytes.subarray(0, 64)) }
}
