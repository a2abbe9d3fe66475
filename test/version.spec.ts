import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DEFAULT_USER_AGENT } from '../src/peer/constants.ts'
import { PEERKEEPER_VERSION } from '../src/version.ts'

describe('version', () => {
  it('is package.json\'s, and peers see it in the user agent', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(PEERKEEPER_VERSION).toBe(pkg.version)
    expect(DEFAULT_USER_AGENT).toBe(`/peerkeeper:${pkg.version}/`)
  })
})
