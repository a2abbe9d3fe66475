import { beforeAll, describe, expect, it } from 'vitest'
import { createTransport, loadV2Transport, outboundTransport } from '../../src/peer/transport.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { NODE_NETWORK, NODE_P2P_V2 } from '../../src/wire/services.ts'
import { REGTEST, remoteVersion } from '../helpers/peer-fixture.ts'

beforeAll(async () => { await loadV2Transport() })

describe('outboundTransport', () => {
  const base = { v2Enabled: true, manual: false, services: NODE_NETWORK | NODE_P2P_V2, v1Only: false }

  it('tries v2 with peers that advertise NODE_P2P_V2, and with manual peers whatever the book says (as Core)', () => {
    expect(outboundTransport(base)).toBe('v2')
    expect(outboundTransport({ ...base, services: NODE_NETWORK })).toBe('v1')
    expect(outboundTransport({ ...base, services: undefined })).toBe('v1')
    expect(outboundTransport({ ...base, services: undefined, manual: true })).toBe('v2')
  })

  it('never with --nov2transport, nor to an address remembered as v1-only', () => {
    expect(outboundTransport({ ...base, v2Enabled: false, manual: true })).toBe('v1')
    expect(outboundTransport({ ...base, v1Only: true })).toBe('v1')
    expect(outboundTransport({ ...base, v1Only: true, manual: true })).toBe('v1')
  })
})

describe('transports', () => {
  it('v1 is ready at once and frames with the magic; detect waits for 16 bytes, then serves v1', () => {
    const v1 = createTransport('v1', REGTEST.magic)
    expect([v1.protocol, v1.ready, v1.start().length]).toEqual(['v1', true, 0])
    const detect = createTransport('detect', REGTEST.magic)
    expect([detect.protocol, detect.ready, detect.start().length]).toEqual([undefined, false, 0])
    // A v1 initiator's first message is its version: magic + 'version' is what detection looks for.
    const frame = encodeMessage(REGTEST.magic, remoteVersion())
    expect(detect.push(frame.subarray(0, 15))).toEqual([])
    expect(detect.protocol).toBeUndefined()
    const items = detect.push(frame.subarray(15))
    expect(items.map((i) => i.kind)).toEqual(['ready', 'message'])
    expect([detect.protocol, detect.ready]).toEqual(['v1', true])
    expect(detect.encode({ command: 'verack' })).toEqual(encodeMessage(REGTEST.magic, { command: 'verack' }))
  })

  it('v2 initiator and detecting responder reach ready, agree on a session id and carry messages', () => {
    const a = createTransport('v2', REGTEST.magic)
    const b = createTransport('detect', REGTEST.magic)
    const pump = (from: Uint8Array, to: typeof a): Uint8Array[] => to.push(from).flatMap((i) => i.kind === 'send' ? [i.bytes] : [])
    let toB = [a.start()]
    b.start()
    for (let round = 0; round < 4; round++) {
      const toA = toB.flatMap((bytes) => pump(bytes, b))
      toB = toA.flatMap((bytes) => pump(bytes, a))
    }
    expect([a.ready, b.ready, a.protocol, b.protocol]).toEqual([true, true, 'v2', 'v2'])
    expect(a.sessionId).toMatch(/^[0-9a-f]{64}$/)
    expect(a.sessionId).toBe(b.sessionId)
    expect(b.push(a.encode({ command: 'ping', nonce: 9n }))).toEqual([{ kind: 'message', message: { command: 'ping', nonce: 9n }, frameBytes: 29 }])
  })
})
