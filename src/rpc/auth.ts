import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Random } from '../util/random.ts'
import { RpcConfigError } from './errors.ts'

/**
 * One accepted login, stored as Core stores every credential (rpcauth, rpcuser/rpcpassword and the
 * cookie alike): the user name and HMAC-SHA256(key = salt, message = password), never the password.
 */
export interface RpcCredential {
  readonly user: string
  readonly salt: string
  /** 64 lower-case hex digits. */
  readonly hashHex: string
}

export interface UserPassword {
  readonly user: string
  readonly password: string
}

const RPCAUTH_FORMAT = /^([^:$]+):([^:$]+)\$([0-9a-fA-F]{64})$/
/** Core's share/rpcauth uses 16 random bytes for a salt. */
const SALT_BYTES = 16

/** HMAC-SHA256 keyed with the salt's ASCII over the password, as hex: Core's rpcauth hash. */
export function rpcAuthHash (salt: string, password: string): string {
  return createHmac('sha256', salt).update(password).digest('hex')
}

/** Parses `USER:SALT$HASH` (what share/rpcauth/rpcauth.py prints); `what` names the flag in the error. */
export function parseRpcAuth (entry: string, what = '--rpcauth'): RpcCredential {
  const m = RPCAUTH_FORMAT.exec(entry.trim())
  if (m === null) throw new RpcConfigError(`${what}: "${entry}" is not USER:SALT$HASH (HASH = 64 hex digits of HMAC-SHA256(SALT, password))`)
  return { user: m[1] as string, salt: m[2] as string, hashHex: (m[3] as string).toLowerCase() }
}

/** A credential for a plain user and password, with a fresh random salt. */
export function credentialFor (login: UserPassword, random: Random): RpcCredential {
  const salt = Buffer.from(random.bytes(SALT_BYTES)).toString('hex')
  return { user: login.user, salt, hashHex: rpcAuthHash(salt, login.password) }
}

/** The user and password of an `Authorization: Basic …` header, or undefined when it is not one. */
export function parseBasicAuth (header: string | undefined): UserPassword | undefined {
  if (header === undefined || !header.startsWith('Basic ')) return undefined
  const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * Checks a login against every credential without stopping at the first match: each comparison is
 * between equal-length digests with timingSafeEqual, so timing tells nothing about names or passwords.
 * Returns the user it matched.
 */
export function authenticate (credentials: readonly RpcCredential[], login: UserPassword): string | undefined {
  const userDigest = sha256(login.user)
  let matched: string | undefined
  for (const c of credentials) {
    const userOk = timingSafeEqual(userDigest, sha256(c.user))
    const passOk = timingSafeEqual(createHmac('sha256', c.salt).update(login.password).digest(), Buffer.from(c.hashHex, 'hex'))
    if (userOk && passOk) matched ??= c.user
  }
  return matched
}
