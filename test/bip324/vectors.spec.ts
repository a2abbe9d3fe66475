import { describe, expect, it } from 'vitest'
import { bytesToField, ellswiftCreate, ellswiftDecode, ellswiftEcdhXonly, nativeMultiplier, nobleMultiplier, numberToBytes32, xswiftec, xswiftecInv } from '../../src/bip324/ellswift.ts'
import { deriveSessionKeys, v2Ecdh } from '../../src/bip324/keys.ts'
import { PacketCipher } from '../../src/bip324/packet-cipher.ts'
import { V2Session } from '../../src/bip324/session.ts'
import { hex, MAINNET_MAGIC, readVectors, seededRandom, toHex } from '../helpers/bip324.ts'

/** Every vector BIP324 publishes (test/fixtures/bip324/README.md says where they come from). */

describe('BIP324 ellswift_decode vectors', () => {
  const rows = readVectors('ellswift_decode_test_vectors')
  it(`decodes all ${rows.length} encodings to their X coordinate`, () => {
    expect(rows.length).toBe(76)
    for (const row of rows) expect(toHex(ellswiftDecode(hex(row.ellswift as string))), row.comment).toBe(row.x)
  })
})

describe('BIP324 xswiftec_inv vectors', () => {
  const rows = readVectors('xswiftec_inv_test_vectors')
  it(`inverts all ${rows.length} (u, x) pairs in every case, and each t maps back to x`, () => {
    expect(rows.length).toBe(32)
    let found = 0
    for (const row of rows) {
      const u = bytesToField(hex(row.u as string))
      const x = bytesToField(hex(row.x as string))
      for (let kase = 0; kase < 8; kase++) {
        const t = xswiftecInv(x, u, kase)
        const expected = row[`case${kase}_t`]
        expect(t === undefined ? '' : toHex(numberToBytes32(t)), `${row.comment} case ${kase}`).toBe(expected)
        if (t !== undefined) {
          expect(xswiftec(u, t)).toBe(x)
          found++
        }
      }
    }
    expect(found).toBeGreaterThan(0)
  })
})

describe('BIP324 packet encoding vectors', () => {
  const rows = readVectors('packet_encoding_test_vectors')
  it('has the published rows', () => { expect(rows.length).toBe(7) })

  for (const row of rows) {
    const v = (name: string): string => row[name] as string
    const initiating = v('in_initiating') === '1'
    it(`row idx=${v('in_idx')}: keys, secret, session id and ciphertext (${initiating ? 'initiator' : 'responder'})`, () => {
      const privateKey = hex(v('in_priv_ours'))
      const ours = hex(v('in_ellswift_ours'))
      const theirs = hex(v('in_ellswift_theirs'))
      // Our own fresh encoding of the private key's X coordinate decodes to the vector's X too.
      expect(toHex(ellswiftDecode(ellswiftCreate(seededRandom(v('in_idx')), privateKey).ellswift))).toBe(v('mid_x_ours'))
      expect(toHex(ellswiftDecode(ours))).toBe(v('mid_x_ours'))
      expect(toHex(ellswiftDecode(theirs))).toBe(v('mid_x_theirs'))
      expect(toHex(ellswiftEcdhXonly(theirs, privateKey))).toBe(v('mid_x_shared'))
      // Both point-multiplication back ends (OpenSSL via node:crypto, and noble where OpenSSL lacks the curve) agree.
      for (const using of [nativeMultiplier, nobleMultiplier]) {
        expect(toHex(using.publicX(privateKey))).toBe(v('mid_x_ours'))
        expect(toHex(ellswiftEcdhXonly(theirs, privateKey, using))).toBe(v('mid_x_shared'))
      }
      const secret = v2Ecdh(privateKey, theirs, ours, initiating)
      expect(toHex(secret)).toBe(v('mid_shared_secret'))
      const keys = deriveSessionKeys(secret, MAINNET_MAGIC, initiating)
      const [initiatorL, initiatorP, responderL, responderP] = initiating ? [keys.sendL, keys.sendP, keys.recvL, keys.recvP] : [keys.recvL, keys.recvP, keys.sendL, keys.sendP]
      expect(toHex(initiatorL)).toBe(v('mid_initiator_l'))
      expect(toHex(initiatorP)).toBe(v('mid_initiator_p'))
      expect(toHex(responderL)).toBe(v('mid_responder_l'))
      expect(toHex(responderP)).toBe(v('mid_responder_p'))
      expect(toHex(keys.sendGarbageTerminator)).toBe(v('mid_send_garbage_terminator'))
      expect(toHex(keys.recvGarbageTerminator)).toBe(v('mid_recv_garbage_terminator'))
      expect(toHex(keys.sessionId)).toBe(v('out_session_id'))

      const contents = Buffer.from(v('in_contents').repeat(Number(v('in_multiply'))), 'hex')
      const options = { aad: hex(v('in_aad')), ignore: v('in_ignore') === '1' }
      const sender = new PacketCipher(keys)
      for (let i = 0; i < Number(v('in_idx')); i++) sender.encrypt(new Uint8Array(0))
      const packet = sender.encrypt(contents, options)
      if (v('out_ciphertext') !== '') expect(toHex(packet)).toBe(v('out_ciphertext'))
      if (v('out_ciphertext_endswith') !== '') expect(toHex(packet.subarray(packet.length - v('out_ciphertext_endswith').length / 2))).toBe(v('out_ciphertext_endswith'))

      // The other end (the same secret seen from the other role) reads every packet back.
      const replay = new PacketCipher(keys)
      const receiver = new PacketCipher(deriveSessionKeys(secret, MAINNET_MAGIC, !initiating))
      for (let i = 0; i <= Number(v('in_idx')); i++) {
        const last = i === Number(v('in_idx'))
        const bytes = last ? replay.encrypt(contents, options) : replay.encrypt(new Uint8Array(0))
        expect(receiver.decryptLength(bytes)).toBe(last ? contents.length : 0)
        const read = receiver.decrypt(bytes.subarray(3), last ? options.aad : undefined)
        expect(read?.ignore).toBe(last && options.ignore)
        if (last) expect(Buffer.from(read?.contents ?? []).equals(contents)).toBe(true)
      }
    })

    it(`row idx=${v('in_idx')}: a session with the vector's key sends the vector's terminator and version packet`, () => {
      const privateKey = hex(v('in_priv_ours'))
      const ours = hex(v('in_ellswift_ours'))
      const theirs = hex(v('in_ellswift_theirs'))
      const session = new V2Session({ magic: MAINNET_MAGIC, role: initiating ? 'initiator' : 'responder' }, { keyPair: { privateKey, ellswift: ours }, garbage: new Uint8Array(0) })
      const opening = session.start()
      expect(toHex(opening)).toBe(initiating ? v('in_ellswift_ours') : '')
      const sent = session.push(theirs).flatMap((e) => e.kind === 'send' ? [toHex(e.bytes)] : [])
      const keys = deriveSessionKeys(v2Ecdh(privateKey, theirs, ours, initiating), MAINNET_MAGIC, initiating)
      const versionPacket = toHex(new PacketCipher(keys).encrypt(new Uint8Array(0)))
      expect(sent).toEqual([...(initiating ? [] : [v('in_ellswift_ours')]), v('mid_send_garbage_terminator') + versionPacket])
      expect(session.state).toBe('garbage')
    })
  }
})
