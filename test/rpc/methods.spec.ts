import { describe, expect, it } from 'vitest'
import { rpcMethod, validateParams } from '../../src/rpc/methods.ts'

const setban = rpcMethod({
  params: [
    { name: 'subnet', type: 'string' },
    { name: 'command', type: 'string' },
    { name: 'bantime', type: 'number', optional: true },
    { name: 'absolute', type: 'boolean', optional: true }
  ],
  help: 'Bans.',
  handler: (args) => args
})

describe('validateParams', () => {
  it('maps positional and named params to the same arguments', () => {
    const expected = { subnet: '10.0.0.0/8', command: 'add', bantime: 60, absolute: undefined }
    expect(validateParams('setban', setban, ['10.0.0.0/8', 'add', 60])).toEqual(expected)
    expect(validateParams('setban', setban, { command: 'add', subnet: '10.0.0.0/8', bantime: 60 })).toEqual(expected)
  })

  it('takes null as an absent optional parameter', () => {
    expect(validateParams('setban', setban, ['1.2.3.4', 'add', null, true])).toEqual({ subnet: '1.2.3.4', command: 'add', bantime: undefined, absolute: true })
  })

  it.each([
    [['1.2.3.4'], 'setban: missing required parameter "command" (position 2), expected a string'],
    [[null, 'add'], 'setban: missing required parameter "subnet" (position 1), expected a string'],
    [['1.2.3.4', 'add', '60'], 'setban: parameter "bantime" (position 3) must be a number, got "60"'],
    [['1.2.3.4', 'add', Infinity], 'setban: parameter "bantime" (position 3) must be a number'],
    [['1.2.3.4', 'add', 1, 'yes'], 'setban: parameter "absolute" (position 4) must be true or false, got "yes"'],
    [['1.2.3.4', 'add', 1, true, 5], 'setban: too many parameters (takes at most 4: subnet, command, bantime, absolute; got 5)'],
    [{ subnet: '1.2.3.4', command: 'add', until: 5 }, 'setban: unknown parameter "until" (takes subnet, command, bantime, absolute)'],
    [[{ a: 1 }, 'add'], 'setban: parameter "subnet" (position 1) must be a string, got {"a":1}']
  ])('refuses %j with -32602 naming the parameter', (params, message) => {
    let caught: unknown
    try {
      validateParams('setban', setban, params)
    } catch (err) {
      caught = err
    }
    expect(caught).toMatchObject({ name: 'RpcError', code: -32602 })
    expect((caught as Error).message).toContain(message)
  })

  it('checks objects and arrays, and a method without params', () => {
    const m = rpcMethod({ params: [{ name: 'o', type: 'object' }, { name: 'a', type: 'array' }], help: '', handler: () => null })
    expect(validateParams('m', m, [{ x: 1 }, [1]])).toEqual({ o: { x: 1 }, a: [1] })
    expect(() => validateParams('m', m, [[1], [1]])).toThrow('m: parameter "o" (position 1) must be a JSON object, got [1]')
    expect(() => validateParams('m', m, [{}, {}])).toThrow('m: parameter "a" (position 2) must be a JSON array, got {}')
    const none = rpcMethod({ params: [], help: '', handler: () => null })
    expect(validateParams('uptime', none, undefined)).toEqual({})
    expect(() => validateParams('uptime', none, [1])).toThrow('uptime: too many parameters (takes at most 0; got 1)')
    expect(() => validateParams('uptime', none, { x: 1 })).toThrow('uptime: unknown parameter "x" (takes none)')
  })
})

