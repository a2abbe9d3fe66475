import { describe, expect, it } from 'vitest'
import { youngGenerationFlag } from '../../src/cli/young-generation.ts'

describe('youngGenerationFlag', () => {
  it('keeps the semi-spaces at their initial size unless the operator sized them', () => {
    expect(youngGenerationFlag([], undefined)).toBe('--semi-space-growth-factor=1')
    expect(youngGenerationFlag(['--enable-source-maps'], '--max-old-space-size=512')).toBe('--semi-space-growth-factor=1')
  })

  it('leaves the operator\'s own semi-space setting alone, from the command line or NODE_OPTIONS, in either spelling', () => {
    expect(youngGenerationFlag(['--max-semi-space-size=64'], undefined)).toBeUndefined()
    expect(youngGenerationFlag([], '--max-old-space-size=512 --semi-space-growth-factor=4')).toBeUndefined()
    expect(youngGenerationFlag([], '--min_semi_space_size=2')).toBeUndefined()
  })
})
