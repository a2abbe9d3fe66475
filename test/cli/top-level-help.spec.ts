import { describe, expect, it } from 'vitest'
import { COMMANDS, topLevelHelp } from '../../src/cli/command-table.ts'
import { runCli } from '../helpers/cli.ts'

describe('peerkeeper --help', () => {
  it('lists every command with its description, wrapped to the width, without loading yargs', async () => {
    const text = topLevelHelp(80)
    for (const c of COMMANDS) {
      expect(text).toContain(`peerkeeper ${c.command}`)
      expect(text.replace(/\n\s+/g, ' ')).toContain(c.describe)
    }
    expect(text.split('\n').every((line) => line.length <= 80)).toBe(true)
    const result = await runCli(['--help'])
    expect([result.code, result.stdout, result.stderr]).toEqual([0, topLevelHelp(110), ''])
  })
})
