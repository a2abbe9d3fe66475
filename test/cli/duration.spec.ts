import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../../src/cli/duration.ts'

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1.5h', 5_400_000],
    ['1h30m', 5_400_000],
    [' 2D ', 172_800_000],
    ['0s', 0]
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text, '--duration')).toBe(ms)
  })

  it.each(['', '10', 'h', '5x', '1h 30m', '-1h', '1e3s', '99999999999999999d'])('refuses %j with a UsageError naming the flag', (text) => {
    expect(() => parseDuration(text, '--banduration')).toThrow(expect.objectContaining({
      name: 'UsageError',
      message: expect.stringMatching(/^--banduration: "/)
    }))
  })
})

describe('formatDuration', () => {
  it.each([
    [86_400_000, '24h'],
    [5_400_000, '1h30m'],
    [90_000, '1m30s'],
    [3_601_000, '1h1s'],
    [0, '0s']
  ])('%d ms is %j, which parseDuration reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
    expect(parseDuration(text, '--duration')).toBe(ms)
  })
})
