import { INTEGER_CODES, OP_DEFAULT, OP_JUMP, OP_MATCH, OP_RETURN } from '../../src/addrbook/asmap.ts'

/**
 * A small encoder of Bitcoin Core's asmap format for tests (the decoder under test is src/addrbook/asmap.ts):
 * prefixes of the 128-bit address space (IPv4 as ::ffff:a.b.c.d) mapped to AS numbers become a binary trie,
 * written as JUMP at every fork, runs of single-child bits as MATCH (8 bits at a time, the shorter rest
 * last), and RETURN at each mapped prefix. Addresses under no prefix fall off a MATCH: 0 (unmapped).
 */

type IntegerCode = { readonly minval: number, readonly sizes: readonly number[] }

/** Bits of one integer in Core's class code: k ones for class k (a zero unless last), then the value big-endian. */
export function integerBits (code: IntegerCode, value: number): number[] {
  let v = value - code.minval
  for (let k = 0; k < code.sizes.length; k++) {
    const size = code.sizes[k] ?? 0
    const last = k === code.sizes.length - 1
    if (v < 2 ** size) {
      const bits: number[] = Array(k).fill(1)
      if (!last) bits.push(0)
      for (let i = size - 1; i >= 0; i--) bits.push(Math.floor(v / 2 ** i) % 2)
      return bits
    }
    v -= 2 ** size
  }
  throw new Error(`asmap encoder: ${value} does not fit the code`)
}

const op = (opcode: number): number[] => integerBits(INTEGER_CODES.OPCODE, opcode)
export const returnBits = (asn: number): number[] => [...op(OP_RETURN), ...integerBits(INTEGER_CODES.ASN, asn)]
export const defaultBits = (asn: number): number[] => [...op(OP_DEFAULT), ...integerBits(INTEGER_CODES.ASN, asn)]
export const jumpBits = (offset: number): number[] => [...op(OP_JUMP), ...integerBits(INTEGER_CODES.JUMP, offset)]
/** MATCH of `bits` (1 to 8 address bits, MSB first). */
export function matchBits (bits: readonly number[]): number[] {
  const m = bits.reduce((acc, b) => acc * 2 + b, 1)
  return [...op(OP_MATCH), ...integerBits(INTEGER_CODES.MATCH, m)]
}

/** Packs a bit list least-significant bit first, zero-padded to whole bytes. */
export function packBits (bits: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((b, i) => { if (b === 1) out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (i & 7)) })
  return out
}

interface Trie { asn?: number, zero?: Trie, one?: Trie }

/** `1.2.0.0/16` or `2001:db8::/32` → its bits in the 128-bit lookup space. */
export function prefixBits (cidr: string): number[] {
  const [ip = '', lenText = ''] = cidr.split('/')
  const len = Number(lenText)
  const bytes = new Uint8Array(16)
  let offset = 0
  if (ip.includes('.')) {
    bytes[10] = 0xff
    bytes[11] = 0xff
    bytes.set(ip.split('.').map(Number), 12)
    offset = 96
  } else {
    const [head = '', tail = ''] = ip.split('::')
    const h = head === '' ? [] : head.split(':')
    const t = tail === '' ? [] : tail.split(':')
    const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16))
    groups.forEach((g, i) => { bytes[2 * i] = g >> 8; bytes[2 * i + 1] = g & 0xff })
  }
  const bits: number[] = []
  for (let i = 0; i < offset + len; i++) bits.push(((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1)
  return bits
}

function encodeTrie (node: Trie): number[] {
  if (node.asn !== undefined) return returnBits(node.asn)
  if (node.zero !== undefined && node.one !== undefined) {
    const zero = encodeTrie(node.zero)
    return [...jumpBits(zero.length), ...zero, ...encodeTrie(node.one)]
  }
  // A run of single-child bits: MATCHes of 8, the shorter rest last (Core allows one sub-byte MATCH per run).
  const run: number[] = []
  let at: Trie = node
  while (at.asn === undefined && (at.zero === undefined) !== (at.one === undefined)) {
    run.push(at.one === undefined ? 0 : 1)
    at = (at.one ?? at.zero) as Trie
  }
  const out: number[] = []
  for (let i = 0; i < run.length; i += 8) out.push(...matchBits(run.slice(i, i + 8)))
  return [...out, ...encodeTrie(at)]
}

/** An asmap file mapping each (non-overlapping) prefix to its AS number. */
export function encodeAsmap (entries: ReadonlyArray<readonly [cidr: string, asn: number]>): Uint8Array {
  const root: Trie = {}
  for (const [cidr, asn] of entries) {
    let node = root
    for (const bit of prefixBits(cidr)) node = bit === 1 ? (node.one ??= {}) : (node.zero ??= {})
    node.asn = asn
  }
  return packBits(encodeTrie(root))
}
