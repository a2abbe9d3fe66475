import { describe, expect, it } from 'vitest'
import { AdmissionInputError } from '../../src/admission/errors.ts'
import {
  ALL_PERMISSIONS, NO_PERMISSIONS, PERMISSION_NAMES, parseDenyEntry, parseWhitelistEntry, unionPermissions
} from '../../src/admission/permissions.ts'

const ONION = `${'b'.repeat(56)}.onion`

function errorOf (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}

describe('parseWhitelistEntry', () => {
  it('gives a bare subnet every permission (noban and addr as before, plus nolimit)', () => {
    const entry = parseWhitelistEntry('10.0.0.0/8')
    expect(entry.target).toMatchObject({ key: '10.0.0.0/8', prefixBits: 8 })
    expect(entry.permissions).toEqual({ noban: true, nolimit: true, addr: true })
  })

  it.each(PERMISSION_NAMES)('grants exactly %s when it alone is named', (name) => {
    const entry = parseWhitelistEntry(`${name}@1.2.3.4`)
    expect(entry.target.key).toBe('1.2.3.4')
    expect(entry.permissions).toEqual({ ...NO_PERMISSIONS, [name]: true })
  })

  it('reads a comma list, tolerating spaces, case and empty items as Core does', () => {
    expect(parseWhitelistEntry('noban, ADDR,,@2001:db8::/32').permissions).toEqual({ noban: true, nolimit: false, addr: true })
  })

  it('reads Core\'s "all" as every permission', () => {
    expect(parseWhitelistEntry('all@::1').permissions).toEqual(ALL_PERMISSIONS)
  })

  it('writes an IPv4-mapped subnet as IPv4 and takes .onion hosts exactly', () => {
    expect(parseWhitelistEntry('nolimit@::ffff:10.1.0.0/112').target.key).toBe('10.1.0.0/16')
    expect(parseWhitelistEntry(`noban@${ONION.toUpperCase()}`).target).toEqual({ key: ONION, bytes: undefined, prefixBits: 0 })
  })

  it('names an unknown permission and lists the valid ones', () => {
    const err = errorOf(() => parseWhitelistEntry('noban,nobna@1.2.3.4'))
    expect(err).toBeInstanceOf(AdmissionInputError)
    expect(err.name).toBe('AdmissionInputError')
    expect(err.message).toBe('"noban,nobna@1.2.3.4" has unknown permission "nobna"; valid: noban, nolimit, addr, all')
  })

  it('says why a Bitcoin Core relay permission is refused', () => {
    expect(errorOf(() => parseWhitelistEntry('relay@1.2.3.4')).message)
      .toBe('"relay@1.2.3.4" has unknown permission "relay" (a Bitcoin Core permission about relay, which peerkeeper does not do); valid: noban, nolimit, addr, all')
  })

  it('refuses an empty permission list, a missing subnet, two "@" and a bad subnet, naming the value', () => {
    expect(errorOf(() => parseWhitelistEntry('@1.2.3.4')).message).toMatch(/^"@1\.2\.3\.4" names no permission before "@"/)
    expect(errorOf(() => parseWhitelistEntry(' , @1.2.3.4')).message).toMatch(/names no permission/)
    expect(errorOf(() => parseWhitelistEntry('noban@')).message).toBe('"noban@" has no subnet (expected an IP, IP/prefix or .onion/.i2p address)')
    expect(errorOf(() => parseWhitelistEntry('noban@addr@1.2.3.4')).message).toMatch(/more than one "@"/)
    const bad = errorOf(() => parseWhitelistEntry('noban@1.2.3.4/33'))
    expect(bad).toBeInstanceOf(AdmissionInputError)
    expect(bad.message).toBe('"noban@1.2.3.4/33": subnet "1.2.3.4/33" has prefix "/33" (expected 0-32 for IPv4)')
    expect(errorOf(() => parseWhitelistEntry('example.com')).message).toMatch(/^"example\.com": subnet "example\.com" is not an IP address/)
  })

  it('keeps flag names out of its messages (the CLI adds them)', () => {
    for (const bad of ['x@1.2.3.4', '@1.2.3.4', 'noban@', 'a@b@c', '1.2.3.4/99']) {
      expect(errorOf(() => parseWhitelistEntry(bad)).message).not.toMatch(/--/)
    }
  })
})

describe('parseDenyEntry', () => {
  it('parses subnets, single hosts and onions like ban targets', () => {
    expect(parseDenyEntry('192.168.0.0/16').key).toBe('192.168.0.0/16')
    expect(parseDenyEntry('::ffff:1.2.3.4').key).toBe('1.2.3.4')
    expect(parseDenyEntry(ONION).key).toBe(ONION)
  })

  it('refuses permissions and bad subnets, naming the value', () => {
    const err = errorOf(() => parseDenyEntry('noban@1.2.3.4'))
    expect(err).toBeInstanceOf(AdmissionInputError)
    expect(err.message).toBe('"noban@1.2.3.4" carries permissions; a deny entry is a bare IP, IP/prefix or .onion/.i2p address')
    expect(errorOf(() => parseDenyEntry('10.0.0.0/x')).message).toMatch(/^"10\.0\.0\.0\/x": subnet/)
  })
})

describe('unionPermissions', () => {
  it('grants what either grants', () => {
    expect(unionPermissions({ noban: true, nolimit: false, addr: false }, { noban: false, nolimit: false, addr: true }))
      .toEqual({ noban: true, nolimit: false, addr: true })
    expect(unionPermissions(NO_PERMISSIONS, NO_PERMISSIONS)).toEqual(NO_PERMISSIONS)
  })
})
