import { describe, expect, it } from 'vitest'
import { chooseAnchors } from '../../src/addrbook/anchors.ts'
import type { AnchorCandidate } from '../../src/addrbook/anchors.ts'
import { ipv4 } from '../helpers/addr-book-fixture.ts'

const peer = (host: string, handshakeAtMs: number, permanent = false): AnchorCandidate => {
  const [a, b] = host.split('.')
  return { addr: ipv4(host), group: `${a}.${b}.0.0/16`, handshakeAtMs, permanent }
}

describe('chooseAnchors', () => {
  it('keeps the 2 longest-connected automatic outbound peers', () => {
    expect(chooseAnchors([peer('1.1.1.1', 300), peer('2.2.2.2', 100), peer('3.3.3.3', 200)])).toEqual([ipv4('2.2.2.2'), ipv4('3.3.3.3')])
  })

  it('skips permanent peers and a second peer of the same group', () => {
    expect(chooseAnchors([peer('1.1.1.1', 100, true), peer('2.2.2.2', 200), peer('2.2.9.9', 250), peer('4.4.4.4', 300)])).toEqual([ipv4('2.2.2.2'), ipv4('4.4.4.4')])
  })

  it('puts a peer whose slot is kept for it (returns) before the stand-ins, however young its last connection', () => {
    const claimed = { ...peer('5.5.5.5', 0), claimed: true }
    expect(chooseAnchors([peer('1.1.1.1', 100), peer('2.2.2.2', 900), claimed])).toEqual([ipv4('5.5.5.5'), ipv4('1.1.1.1')])
  })

  it('returns fewer when fewer qualify, and none for none', () => {
    expect(chooseAnchors([peer('1.1.1.1', 100)])).toEqual([ipv4('1.1.1.1')])
    expect(chooseAnchors([])).toEqual([])
  })
})
