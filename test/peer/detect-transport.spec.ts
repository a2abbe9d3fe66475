import { beforeAll, describe, expect, it } from 'vitest'
import { DetectTransport } from '../../src/peer/detect-transport.ts'
import { createTransport, loadV2Transport, type PeerTransport, type TransportItem } from '../../src/peer/transport.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { REGTEST, remoteVersion } from '../helpers/peer-fixture.ts'

// An inbound transport before BIP324's code is loaded: v1 peers are served without loading it, a v2 peer
// waits for the load once and then gets a real v2 responder that saw every byte.

type Responder = (magic: Uint8Array) => PeerTransport

/** A load the test finishes by hand, counting the calls and the resumes. */
function handLoad (): { init: { loadResponder: () => Promise<Responder>, resume: () => void }, loads: () => number, resumes: () => number, finish: (r: Responder | Error) => void } {
  let loads = 0
  let resumes = 0
  let finish!: (r: Responder | Error) => void
  const done = new Promise<Responder>((resolve, reject) => { finish = (r) => { if (r instanceof Error) reject(r); else resolve(r) } })
  return {
    init: { loadResponder: async () => { loads++; return await done }, resume: () => { resumes++ } },
    loads: () => loads,
    resumes: () => resumes,
    finish
  }
}

const sends = (items: TransportItem[]): Uint8Array[] => items.flatMap((i) => i.kind === 'send' ? [i.bytes] : [])
const settle = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

beforeAll(async () => { await loadV2Transport() })

describe('DetectTransport', () => {
  it('serves a v1 peer without loading BIP324', () => {
    const load = handLoad()
    const detect = new DetectTransport(REGTEST.magic, load.init)
    const frame = encodeMessage(REGTEST.magic, remoteVersion())
    expect(detect.push(frame.subarray(0, 10))).toEqual([])
    expect([detect.protocol, detect.bufferedBytes]).toEqual([undefined, 10])
    expect(detect.push(frame.subarray(10)).map((i) => i.kind)).toEqual(['ready', 'message'])
    expect([detect.protocol, detect.ready, load.loads()]).toEqual(['v1', true, 0])
    expect(detect.encode({ command: 'verack' })).toEqual(encodeMessage(REGTEST.magic, { command: 'verack' }))
  })

  it('holds a v2 peer\'s bytes while BIP324 loads, then hands them all to the responder: the handshake completes', async () => {
    const load = handLoad()
    const detect = new DetectTransport(REGTEST.magic, load.init)
    const initiator = createTransport('v2', REGTEST.magic)
    const key = initiator.start()
    expect(detect.push(key.subarray(0, 20))).toEqual([])
    expect(detect.push(key.subarray(20))).toEqual([])
    expect([load.loads(), detect.protocol, detect.ready, detect.bufferedBytes]).toEqual([1, 'v2', false, key.length])
    expect(() => detect.encode({ command: 'verack' })).toThrow(/before the transport is known/)
    load.finish((magic) => createTransport('detect', magic))
    await settle()
    expect(load.resumes()).toBe(1)
    // The session pushes an empty chunk when resumed: out comes the responder's answer to the held key.
    let toInitiator = sends(detect.push(new Uint8Array(0)))
    expect(toInitiator.length).toBeGreaterThan(0)
    for (let round = 0; round < 4 && !(initiator.ready && detect.ready); round++) {
      const toDetect = toInitiator.flatMap((bytes) => sends(initiator.push(bytes)))
      toInitiator = toDetect.flatMap((bytes) => sends(detect.push(bytes)))
    }
    expect([initiator.ready, detect.ready, detect.protocol, load.loads()]).toEqual([true, true, 'v2', 1])
    expect(detect.sessionId).toBe(initiator.sessionId)
    expect(detect.push(initiator.encode({ command: 'ping', nonce: 7n }))).toEqual([{ kind: 'message', message: { command: 'ping', nonce: 7n }, frameBytes: 29 }])
  })

  it('reports a failed load as a transport error (the session then closes)', async () => {
    const load = handLoad()
    const detect = new DetectTransport(REGTEST.magic, load.init)
    expect(detect.push(createTransport('v2', REGTEST.magic).start())).toEqual([])
    load.finish(new Error('no such module'))
    await settle()
    expect(load.resumes()).toBe(1)
    const items = detect.push(new Uint8Array(0))
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ kind: 'error', error: { name: 'V2TransportError', message: expect.stringContaining('no such module') as unknown } })
  })
})
