import { createECDH, getCurves } from 'node:crypto'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { V2UsageError } from './errors.ts'

/**
 * ElligatorSwift encoding of secp256k1 X coordinates (BIP324 "ElligatorSwift encoding of curve X
 * coordinates") on @noble/curves' field arithmetic; neither noble nor node:crypto has ElligatorSwift.
 * The field code is not constant time, as the BIP allows: decoding works on public data, and encoding
 * only hides which of many encodings was picked. Scalar multiplication (the private key) runs in
 * OpenSSL through node:crypto when its build has secp256k1, else in noble's constant-time multiplication.
 */

const Point = secp256k1.Point
const Fp = Point.Fp
const P = Fp.ORDER
const N = Point.Fn.ORDER

/** 32-byte field elements and X coordinates; 64-byte encodings (u || t). */
export const FIELD_BYTES = 32
export const ELLSWIFT_BYTES = 64

/** The BIP's constant c: the square root of -3 mod p that is itself a square. */
const C = 0xa2d2ba93507f1df233770c2a797962cc61f6d15da14ecd47d8d27ae1cd5f852n
const SQRT_EXPONENT = (P + 1n) / 4n // p = 3 (mod 4): a^((p+1)/4) is "the" square root of a square
const LEGENDRE_EXPONENT = (P - 1n) / 2n
const HALF = Fp.inv(2n)
const B = 7n // y^2 = x^3 + 7

/** Where random bytes come from: node's CSPRNG in production, a seeded source in tests. */
export type RandomBytes = (length: number) => Uint8Array

/** "The" square root of `a` as the BIP defines it (a^((p+1)/4)), or undefined when `a` is not a square. */
function sqrt (a: bigint): bigint | undefined {
  const root = Fp.pow(a, SQRT_EXPONENT)
  return Fp.eql(Fp.sqr(root), a) ? root : undefined
}

function isSquare (a: bigint): boolean {
  return Fp.is0(a) || Fp.eql(Fp.pow(a, LEGENDRE_EXPONENT), Fp.ONE)
}

/** lift_x(x) succeeds: x^3 + 7 is a square. */
function isValidX (x: bigint): boolean {
  return isSquare(Fp.add(Fp.mul(Fp.sqr(x), x), B))
}

/** A big-endian unsigned integer of any length (not reduced). */
function bytesToNumber (bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`)
}

/** Field elements and scalars as 32 bytes, big-endian. */
export function numberToBytes32 (value: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(FIELD_BYTES * 2, '0'), 'hex'))
}

/** Bytes as a field element, reduced mod p (as the BIP reads u and t). */
export function bytesToField (bytes: Uint8Array): bigint {
  return Fp.create(bytesToNumber(bytes))
}

/** XSwiftEC(u, t): the X coordinate on the curve that (u, t) encodes; defined for every pair. */
export function xswiftec (uIn: bigint, tIn: bigint): bigint {
  const u = Fp.is0(uIn) ? Fp.ONE : Fp.create(uIn)
  let t = Fp.is0(tIn) ? Fp.ONE : Fp.create(tIn)
  const u3b = Fp.add(Fp.mul(Fp.sqr(u), u), B)
  if (Fp.is0(Fp.add(u3b, Fp.sqr(t)))) t = Fp.add(t, t)
  const X = Fp.div(Fp.sub(u3b, Fp.sqr(t)), Fp.add(t, t))
  const Y = Fp.div(Fp.add(X, t), Fp.mul(C, u))
  const x1 = Fp.add(u, Fp.mul(4n, Fp.sqr(Y)))
  if (isValidX(x1)) return x1
  const xOverY = Fp.div(X, Y)
  const x2 = Fp.mul(Fp.sub(Fp.neg(xOverY), u), HALF)
  if (isValidX(x2)) return x2
  const x3 = Fp.mul(Fp.sub(xOverY, u), HALF)
  if (isValidX(x3)) return x3
  throw new Error('XSwiftEC found no X coordinate (impossible for secp256k1)')
}

/** XSwiftECInv(x, u, case): a t with xswiftec(u, t) = x, or undefined; `kase` (0..7) picks one of up to 8. */
export function xswiftecInv (x: bigint, u: bigint, kase: number): bigint | undefined {
  let s: bigint
  let v: bigint
  const u3b = Fp.add(Fp.mul(Fp.sqr(u), u), B)
  if ((kase & 2) === 0) {
    if (isValidX(Fp.sub(Fp.neg(x), u))) return undefined
    v = x
    s = Fp.neg(Fp.div(u3b, Fp.add(Fp.add(Fp.sqr(u), Fp.mul(u, v)), Fp.sqr(v))))
  } else {
    s = Fp.sub(x, u)
    if (Fp.is0(s)) return undefined
    const r = sqrt(Fp.neg(Fp.mul(s, Fp.add(Fp.mul(4n, u3b), Fp.mul(3n, Fp.mul(Fp.sqr(u), s))))))
    if (r === undefined) return undefined
    if ((kase & 1) === 1 && Fp.is0(r)) return undefined
    v = Fp.mul(Fp.sub(Fp.div(r, s), u), HALF)
  }
  const w = sqrt(s)
  if (w === undefined) return undefined
  const minus = Fp.add(Fp.mul(Fp.mul(u, Fp.sub(Fp.ONE, C)), HALF), v) // u(1 - c)/2 + v
  const plus = Fp.add(Fp.mul(Fp.mul(u, Fp.add(Fp.ONE, C)), HALF), v) // u(1 + c)/2 + v
  switch (kase & 5) {
    case 0: return Fp.neg(Fp.mul(w, minus))
    case 1: return Fp.mul(w, plus)
    case 4: return Fp.mul(w, minus)
    default: return Fp.neg(Fp.mul(w, plus))
  }
}

/** A uniform field element in 1..p-1 (rejection sampling: a value >= p has probability ~2^-224). */
function randomNonZeroField (random: RandomBytes): bigint {
  for (;;) {
    const value = bytesToNumber(random(FIELD_BYTES))
    if (value !== 0n && value < P) return value
  }
}

/** XElligatorSwift(x): a uniformly sampled 64-byte encoding of the X coordinate `x`. */
export function ellswiftEncode (x: bigint, random: RandomBytes): Uint8Array {
  for (;;) {
    const u = randomNonZeroField(random)
    const kase = (random(1)[0] ?? 0) & 7
    const t = xswiftecInv(x, u, kase)
    if (t !== undefined) return Buffer.concat([numberToBytes32(u), numberToBytes32(t)])
  }
}

/** The X coordinate (32 bytes) that a 64-byte encoding stands for; every 64-byte string decodes. */
export function ellswiftDecode (ellswift: Uint8Array): Uint8Array {
  if (ellswift.length !== ELLSWIFT_BYTES) throw new V2UsageError(`an ElligatorSwift encoding is ${ELLSWIFT_BYTES} bytes, got ${ellswift.length}`)
  return numberToBytes32(xswiftec(bytesToField(ellswift.subarray(0, FIELD_BYTES)), bytesToField(ellswift.subarray(FIELD_BYTES))))
}

export interface EllswiftKeyPair {
  /** 32-byte big-endian scalar in 1..n-1. */
  readonly privateKey: Uint8Array
  readonly ellswift: Uint8Array
}

/** Point multiplication: x(d⋅G) and x(d⋅lift_x(x)), both as 32 bytes. */
export interface ScalarMultiplier {
  publicX (privateKey: Uint8Array): Uint8Array
  sharedX (privateKey: Uint8Array, x: Uint8Array): Uint8Array
}

/** OpenSSL's (2-3× faster than noble here); absent from builds that drop secp256k1 (some distributions' OpenSSL). */
export const nativeMultiplier: ScalarMultiplier = {
  publicX (privateKey) {
    const ecdh = createECDH('secp256k1')
    ecdh.setPrivateKey(privateKey)
    return ecdh.getPublicKey(null, 'compressed').subarray(1)
  },
  sharedX (privateKey, x) {
    const ecdh = createECDH('secp256k1')
    ecdh.setPrivateKey(privateKey)
    // ECDH's secret is the X coordinate of the product: exactly BIP324's X-only ECDH.
    return new Uint8Array(ecdh.computeSecret(Buffer.concat([Uint8Array.of(2), x])))
  }
}

export const nobleMultiplier: ScalarMultiplier = {
  publicX (privateKey) {
    return numberToBytes32(Point.BASE.multiply(bytesToNumber(privateKey)).toAffine().x)
  },
  sharedX (privateKey, x) {
    // Either lift of x works: negation does not change the product's X coordinate.
    const point = Point.fromBytes(Buffer.concat([Uint8Array.of(2), x]))
    return numberToBytes32(point.multiply(bytesToNumber(privateKey)).toAffine().x)
  }
}

const multiplier = getCurves().includes('secp256k1') ? nativeMultiplier : nobleMultiplier

/** A private key and a uniformly sampled encoding of its public key's X coordinate (the BIP's ellswift_create). */
export function ellswiftCreate (random: RandomBytes, privateKey?: Uint8Array): EllswiftKeyPair {
  let d: bigint
  if (privateKey === undefined) {
    do d = bytesToNumber(random(FIELD_BYTES)); while (d === 0n || d >= N)
  } else {
    d = bytesToNumber(privateKey)
    if (d === 0n || d >= N || privateKey.length !== FIELD_BYTES) throw new V2UsageError('a private key is 32 bytes in 1..n-1')
  }
  const key = numberToBytes32(d)
  return { privateKey: key, ellswift: ellswiftEncode(bytesToField(multiplier.publicX(key)), random) }
}

/** X coordinate (32 bytes) of privateKey times the point their encoding stands for (ellswift_ecdh_xonly). */
export function ellswiftEcdhXonly (ellswiftTheirs: Uint8Array, privateKey: Uint8Array, using: ScalarMultiplier = multiplier): Uint8Array {
  return using.sharedX(privateKey, ellswiftDecode(ellswiftTheirs))
}
