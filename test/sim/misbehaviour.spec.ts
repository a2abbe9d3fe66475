import { describe, expect, it } from 'vitest'
import { loadNetwork } from '../../src/chainparams/chainparams.ts'
import { misbehaviourPlan } from '../../src/sim/misbehaviour.ts'
import { MessageDecoder } from '../../src/wire/decoder.ts'
import { ProtocolError } from '../../src/wire/errors.ts'

const { magic } = loadNetwork('regtest')

describe('misbehaviourPlan', () => {
  it('ping-flood: bursts that decode as 200 valid pings each, bounded in count', () => {
    const plan = misbehaviourPlan('ping-flood', magic)
    const items = new MessageDecoder(magic).push(plan.burst)
    expect(items).toHaveLength(plan.messagesPerBurst)
    expect(items.every((m) => !(m instanceof ProtocolError) && m.command === 'ping')).toBe(true)
    expect(plan.messagesPerBurst * plan.bursts).toBe(10_000)
    expect(plan.intervalMs).toBe(100)
  })

  it('garbage: frames whose checksum fails but whose framing holds', () => {
    const plan = misbehaviourPlan('garbage', magic)
    const decoder = new MessageDecoder(magic)
    const items = decoder.push(plan.burst)
    expect(items).toHaveLength(50)
    expect(items.every((m) => m instanceof ProtocolError && m.kind === 'bad-checksum' && !m.fatal)).toBe(true)
    expect(decoder.closed).toBe(false)
  })

  it('oversized: a header alone that declares one byte over the protocol limit', () => {
    const plan = misbehaviourPlan('oversized', magic)
    expect(plan.burst).toHaveLength(24)
    const [error] = new MessageDecoder(magic).push(plan.burst)
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as ProtocolError).kind).toBe('oversized')
  })
})
