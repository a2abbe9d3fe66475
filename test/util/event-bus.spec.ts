import { describe, expect, it } from 'vitest'
import { EventBus, nullEventSink } from '../../src/util/event-bus.ts'

interface Events {
  a: { n: number }
  b: { s: string }
}

describe('EventBus', () => {
  it('delivers each event to its named listeners and to every any-listener, in subscription order, at once', () => {
    const bus = new EventBus<Events>()
    const seen: string[] = []
    bus.on('a', (p) => { seen.push(`a1:${p.n}`) })
    bus.onAny((name, p) => { seen.push(`any:${name}:${JSON.stringify(p)}`) })
    bus.on('a', (p) => { seen.push(`a2:${p.n}`) })
    bus.emit('a', { n: 1 })
    bus.emit('b', { s: 'x' })
    expect(seen).toEqual(['a1:1', 'a2:1', 'any:a:{"n":1}', 'any:b:{"s":"x"}'])
  })

  it('unsubscribes, and a throwing listener is reported without stopping the others', () => {
    const errors: string[] = []
    const bus = new EventBus<Events>({ onListenerError: (err, name) => { errors.push(`${name}: ${(err as Error).message}`) } })
    const seen: number[] = []
    bus.on('a', () => { throw new Error('boom') })
    const off = bus.on('a', (p) => { seen.push(p.n) })
    bus.emit('a', { n: 1 })
    off()
    bus.emit('a', { n: 2 })
    expect(seen).toEqual([1])
    expect(errors).toEqual(['a: boom', 'a: boom'])
  })

  it('the null sink accepts anything and keeps nothing', () => {
    expect(() => { nullEventSink<Events>().emit('a', { n: 1 }) }).not.toThrow()
  })
})
