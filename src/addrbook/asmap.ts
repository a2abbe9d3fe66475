import type { NetAddress } from '../netaddr/netaddress.ts'
import { ipToBytes } from '../netaddr/netaddress.ts'
import { AsmapError } from './errors.ts'
import { groupKey, UNROUTABLE_GROUP } from './netgroup.ts'

/**
 * Bitcoin Core's compressed asmap (`-asmap`, src/util/asmap.cpp): a program over the 128 bits of an
 * IPv6 address (IPv4 as ::ffff:a.b.c.d) that yields its autonomous system number. The file is a bit
 * stream read least-significant bit first. Each instruction starts with an opcode, written as an integer
 * class code: RETURN `0`, JUMP `10`, MATCH `110`, DEFAULT `111`. Integer class codes (minval, sizes):
 * class k is k one-bits, then a zero unless k is the last class, then sizes[k] bits big-endian; class 0
 * covers minval … minval + 2^sizes[0] − 1, class 1 the next 2^sizes[1] values, and so on.
 *
 * - RETURN asn (ASN code: minval 1, sizes 15…24): the answer.
 * - JUMP offset (minval 17, sizes 5…30): take the next address bit; if it is 1, skip `offset` bits of
 *   program (the code for a 0 bit follows the JUMP, the code for a 1 bit comes after it).
 * - MATCH m (minval 2, sizes 1…8): the low bit_width(m) − 1 bits of m must equal the next address bits;
 *   on a mismatch the answer is the current default.
 * - DEFAULT asn: sets the default (0 at the start, meaning "not mapped").
 *
 * A file must pass Core's sanity check (asmapSanityCheck) before use.
 */

const OPCODE = { minval: 0, sizes: [0, 0, 1] } as const
const ASN = { minval: 1, sizes: [15, 16, 17, 18, 19, 20, 21, 22, 23, 24] } as const
const MATCH = { minval: 2, sizes: [1, 2, 3, 4, 5, 6, 7, 8] } as const
const JUMP = { minval: 17, sizes: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30] } as const
export const INTEGER_CODES = { OPCODE, ASN, MATCH, JUMP } as const
export const OP_RETURN = 0
export const OP_JUMP = 1
export const OP_MATCH = 2
export const OP_DEFAULT = 3
/** The address is looked up as 128 bits. */
const ADDRESS_BITS = 128
/** A file ends with at most 7 zero bits of padding. */
const MAX_PADDING_BITS = 7
/** Core's MATCH sequences: at most one of them may be shorter than a byte. */
const FULL_MATCH_BITS = 8

type IntegerCode = { readonly minval: number, readonly sizes: readonly number[] }

/** A cursor over the program's bits; -1 from decode means the stream ended or the value is invalid. */
class BitReader {
  pos = 0
  readonly bytes: Uint8Array
  readonly end: number
  constructor (bytes: Uint8Array) {
    this.bytes = bytes
    this.end = bytes.length * 8
  }

  bit (): number {
    const b = ((this.bytes[this.pos >> 3] ?? 0) >> (this.pos & 7)) & 1
    this.pos++
    return b
  }

  decode (code: IntegerCode): number {
    let value = code.minval
    for (let k = 0; k < code.sizes.length; k++) {
      const size = code.sizes[k] ?? 0
      const last = k === code.sizes.length - 1
      if (!last) {
        if (this.pos >= this.end) return -1
        if (this.bit() === 1) { value += 2 ** size; continue }
      }
      if (this.end - this.pos < size) return -1
      for (let i = 0; i < size; i++) value += this.bit() * 2 ** (size - 1 - i)
      return value
    }
    return -1
  }
}

/** The 128 lookup bits of an IPv4 (as ::ffff:a.b.c.d) or IPv6 address, MSB first; undefined for others. */
function addressBits (addr: NetAddress): Uint8Array | undefined {
  if (addr.network === 'ipv4') {
    const v6 = new Uint8Array(16)
    v6[10] = 0xff
    v6[11] = 0xff
    v6.set(addr.host.split('.').map(Number), 12)
    return v6
  }
  return addr.network === 'ipv6' ? ipToBytes(addr.host) : undefined
}

const bitAt = (ip: Uint8Array, i: number): number => ((ip[i >> 3] ?? 0) >> (7 - (i & 7))) & 1

/** Core's Interpret: the AS number of `addr`, 0 when not mapped (and for networks asmap does not cover). */
export function asmapLookup (asmap: Uint8Array, addr: NetAddress): number {
  const ip = addressBits(addr)
  if (ip === undefined) return 0
  const r = new BitReader(asmap)
  let used = 0
  let defaultAsn = 0
  while (r.pos < r.end) {
    const op = r.decode(OPCODE)
    if (op === OP_RETURN) return Math.max(0, r.decode(ASN))
    if (op === OP_JUMP) {
      const jump = r.decode(JUMP)
      if (jump < 0 || used >= ADDRESS_BITS) break
      if (bitAt(ip, used++) === 1) {
        if (jump >= r.end - r.pos) break
        r.pos += jump
      }
    } else if (op === OP_MATCH) {
      const match = r.decode(MATCH)
      if (match < 0) break
      const len = Math.floor(Math.log2(match))
      if (ADDRESS_BITS - used < len) break
      for (let i = 0; i < len; i++) {
        if (((match >> (len - 1 - i)) & 1) !== bitAt(ip, used++)) return defaultAsn
      }
    } else if (op === OP_DEFAULT) {
      defaultAsn = r.decode(ASN)
      if (defaultAsn < 0) break
    } else {
      break
    }
  }
  return 0 // an invalid program (asmapSanityCheck refuses such files)
}

/**
 * Core's SanityCheckASMap: every path ends in a RETURN within 128 address bits; jumps stay in range,
 * land on an instruction and do not cross; no RETURN right after a DEFAULT, no two DEFAULTs in a row, at
 * most one sub-byte MATCH in a run of MATCHes; no unreachable code; at most 7 zero padding bits. Returns
 * why the program is refused, or undefined.
 */
export function asmapSanityCheck (asmap: Uint8Array): string | undefined {
  const r = new BitReader(asmap)
  const jumps: Array<{ target: number, bits: number }> = []
  let bits = ADDRESS_BITS
  let prev = OP_JUMP
  let shortMatch = false
  while (r.pos < r.end) {
    const pending = jumps.at(-1)
    if (pending !== undefined && r.pos >= pending.target) return `code runs into a jump target at bit ${pending.target}`
    const op = r.decode(OPCODE)
    if (op < 0) return `truncated instruction at bit ${r.pos}`
    if (op === OP_RETURN) {
      if (prev === OP_DEFAULT) return 'RETURN right after DEFAULT'
      if (r.decode(ASN) < 0) return `truncated AS number at bit ${r.pos}`
      const next = jumps.pop()
      if (next === undefined) {
        if (r.end - r.pos > MAX_PADDING_BITS) return `${r.end - r.pos} bits after the last RETURN (unreachable code or padding over 7 bits)`
        while (r.pos < r.end) if (r.bit() !== 0) return 'non-zero padding'
        return undefined
      }
      r.pos = next.target
      bits = next.bits
      prev = OP_JUMP
    } else if (op === OP_JUMP) {
      const jump = r.decode(JUMP)
      if (jump < 0) return `truncated jump at bit ${r.pos}`
      if (jump > r.end - r.pos) return `jump out of range at bit ${r.pos}`
      if (bits === 0) return 'a path consumes more than 128 address bits'
      bits--
      const target = r.pos + jump
      const outer = jumps.at(-1)
      if (outer !== undefined && target >= outer.target) return `intersecting jumps at bit ${r.pos}`
      jumps.push({ target, bits })
      prev = OP_JUMP
    } else if (op === OP_MATCH) {
      const match = r.decode(MATCH)
      if (match < 0) return `truncated match at bit ${r.pos}`
      const len = Math.floor(Math.log2(match))
      if (prev !== OP_MATCH) shortMatch = false
      if (len < FULL_MATCH_BITS && shortMatch) return 'two sub-byte MATCHes in a row'
      shortMatch = len < FULL_MATCH_BITS
      if (bits < len) return 'a path consumes more than 128 address bits'
      bits -= len
      prev = OP_MATCH
    } else {
      if (prev === OP_DEFAULT) return 'two DEFAULTs in a row'
      if (r.decode(ASN) < 0) return `truncated AS number at bit ${r.pos}`
      prev = OP_DEFAULT
    }
  }
  return 'no final RETURN'
}

/** A checked asmap: `lookup(addr)` is the AS number (0 = unmapped). */
export interface Asmap {
  readonly bytes: Uint8Array
  lookup(addr: NetAddress): number
}

/** Checks the program (Core's sanity check) and wraps it; throws AsmapError naming `source`. */
export function parseAsmap (bytes: Uint8Array, source: string): Asmap {
  if (bytes.length === 0) throw new AsmapError(`${source}: empty asmap file`)
  const problem = asmapSanityCheck(bytes)
  if (problem !== undefined) throw new AsmapError(`${source}: not a valid asmap (${problem})`)
  return { bytes, lookup: (addr) => asmapLookup(bytes, addr) }
}

/**
 * The diversity group under an asmap (Core's GetGroup): `AS<n>` for an IPv4 or IPv6 address the map
 * places in AS n, so every prefix of one AS is one group; the /16 or /32 group (groupKey) otherwise.
 */
export function groupKeyWithAsmap (addr: NetAddress, allowLocal: boolean, asmap: Asmap | undefined): string {
  const group = groupKey(addr, allowLocal)
  if (asmap === undefined || group === UNROUTABLE_GROUP || group.startsWith('internal:')) return group
  const asn = asmap.lookup(addr)
  return asn === 0 ? group : `AS${asn}`
}
