import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EVENT_LOG_FORMATS, NODE_EVENT_NAMES } from '../../src/node/event-log.ts'

/** The event tables of docs/events.md: first column `name`, second the subsystem, third the level. */
function documentedEvents (): Map<string, { subsystem: string, level: string }> {
  const rows = new Map<string, { subsystem: string, level: string }>()
  for (const line of readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8').split('\n')) {
    const m = /^\| `([a-z_]+)` \| (\w+) \| ([^|]+) \|/.exec(line)
    if (m !== null) rows.set(m[1] as string, { subsystem: m[2] as string, level: (m[3] as string).trim() })
  }
  return rows
}

describe('docs/events.md', () => {
  it('documents exactly the events of NodeEvents, one row each', () => {
    const documented = documentedEvents()
    expect([...documented.keys()].sort()).toEqual([...NODE_EVENT_NAMES].sort())
  })

  it('gives each event the subsystem and level it is logged with', () => {
    for (const [name, doc] of documentedEvents()) {
      const format = EVENT_LOG_FORMATS[name as keyof typeof EVENT_LOG_FORMATS] as { subsystem: string, level?: unknown }
      expect(doc.subsystem, name).toBe(format.subsystem)
      if (typeof format.level !== 'function') expect(doc.level, name).toBe(format.level ?? 'info')
    }
  })
})
