import { describe, expect, it } from 'vitest'
import { authenticate, credentialFor, parseBasicAuth, parseRpcAuth, rpcAuthHash } from '../../src/rpc/auth.ts'
import { seededRandom } from '../../src/util/random.ts'

describe('rpcauth', () => {
  it('hashes as share/rpcauth/rpcauth.py: hex HMAC-SHA256 keyed with the salt', () => {
    // python3: hmac.new(b'cb77f0957de88ff388cf817ddbc7273', b'secret-pass', 'SHA256').hexdigest()
    expect(rpcAuthHash('cb77f0957de88ff388cf817ddbc7273', 'secret-pass')).toBe('c2620e08eb09ff3171c1db7fdb6c15a975f037ada52a3b35b4f1d95822895e4f')
  })

  it('parses USER:SALT$HASH and names the flag for anything else', () => {
    expect(parseRpcAuth(`bob:abc$${'A'.repeat(64)}`)).toEqual({ user: 'bob', salt: 'abc', hashHex: 'a'.repeat(64) })
    for (const bad of ['bob', 'bob:abc', `bob:abc$${'a'.repeat(63)}`, `:abc$${'a'.repeat(64)}`, `bob:a:c$${'a'.repeat(64)}`]) {
      expect(() => parseRpcAuth(bad)).toThrow(`--rpcauth: "${bad}" is not USER:SALT$HASH`)
    }
  })

  it('salts plain logins freshly, so two credentials for one password differ', () => {
    const random = seededRandom(3)
    const a = credentialFor({ user: 'u', password: 'p' }, random)
    const b = credentialFor({ user: 'u', password: 'p' }, random)
    expect(a.salt).toMatch(/^[0-9a-f]{32}$/)
    expect(a.hashHex).not.toBe(b.hashHex)
    expect(authenticate([a], { user: 'u', password: 'p' })).toBe('u')
  })

  it('matches user and password together, over every credential', () => {
    const random = seededRandom(4)
    const creds = [credentialFor({ user: 'alice', password: 'one' }, random), parseRpcAuth('bob:cb77f0957de88ff388cf817ddbc7273$c2620e08eb09ff3171c1db7fdb6c15a975f037ada52a3b35b4f1d95822895e4f')]
    expect(authenticate(creds, { user: 'bob', password: 'secret-pass' })).toBe('bob')
    expect(authenticate(creds, { user: 'alice', password: 'one' })).toBe('alice')
    expect(authenticate(creds, { user: 'alice', password: 'secret-pass' })).toBeUndefined()
    expect(authenticate(creds, { user: 'bob', password: 'one' })).toBeUndefined()
    expect(authenticate([], { user: 'bob', password: 'one' })).toBeUndefined()
  })

  it('reads HTTP Basic headers; a password may hold colons', () => {
    const header = `Basic ${Buffer.from('__cookie__:ab:cd').toString('base64')}`
    expect(parseBasicAuth(header)).toEqual({ user: '__cookie__', password: 'ab:cd' })
    expect(parseBasicAuth('Bearer x')).toBeUndefined()
    expect(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined()
    expect(parseBasicAuth(undefined)).toBeUndefined()
  })
})
