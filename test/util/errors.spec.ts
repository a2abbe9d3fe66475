import { describe, expect, it } from 'vitest'
import { DialDeniedError } from '../../src/node/errors.ts'
import { DialError, NamedError, ProtocolError, UsageError } from '../../src/util/errors.ts'
import { AddressParseError } from '../../src/netaddr/errors.ts'
import { ChainParamsError } from '../../src/chainparams/errors.ts'
import { LogConfigError } from '../../src/log/errors.ts'
import { BanInputError } from '../../src/banlist/errors.ts'
import { DialTimeoutError, OnionDisabledError, ProxyError, UnreachableNetworkError } from '../../src/transport/errors.ts'
import { DialAbortedError } from '../../src/connmgr/errors.ts'
import { ProtocolError as WireProtocolError } from '../../src/wire/errors.ts'
import { CommandLineError } from '../../src/cli/errors.ts'
import { parseHostPort } from '../../src/netaddr/netaddress.ts'
import { parseDebugLevel } from '../../src/log/levels.ts'
import { parseBanTarget } from '../../src/banlist/ban-target.ts'
import { loadNetwork } from '../../src/chainparams/chainparams.ts'

describe('error kinds', () => {
  it('classes bad user input as UsageError (the CLI exits 2 on exactly these)', () => {
    for (const err of [new AddressParseError('x'), new ChainParamsError('x'), new LogConfigError('x'), new BanInputError('x'), new CommandLineError('x')]) {
      expect(err).toBeInstanceOf(UsageError)
      expect(err).not.toBeInstanceOf(DialError)
    }
  })

  it('the library parsers throw usage errors for bad input', () => {
    expect(() => parseHostPort('[::1', 8333)).toThrow(UsageError)
    expect(() => parseDebugLevel('loud')).toThrow(UsageError)
    expect(() => parseBanTarget('10.0.0.0/99')).toThrow(UsageError)
    expect(() => loadNetwork('moonnet')).toThrow(UsageError)
  })

  it('classes failed dials as DialError, not as usage errors', () => {
    const dials = [
      new DialTimeoutError('1.2.3.4:8333', 5000), new ProxyError('127.0.0.1:9050', 'refused'), new OnionDisabledError('x.onion:8333'),
      new UnreachableNetworkError('x.i2p:0', 'no I2P route'), new DialAbortedError('surplus', '1.2.3.4:8333'),
      new DialDeniedError('1.2.3.4:8333', 'banned')
    ]
    for (const err of dials) {
      expect(err).toBeInstanceOf(DialError)
      expect(err).not.toBeInstanceOf(UsageError)
    }
  })

  it('keeps the wire protocol error as the protocol base, with its kind, command and fatality', () => {
    expect(WireProtocolError).toBe(ProtocolError)
    const err = new WireProtocolError('bad-checksum', 'ping payload checksum does not match', 'ping')
    expect(err).toBeInstanceOf(NamedError)
    expect([err.name, err.kind, err.command, err.fatal]).toEqual(['ProtocolError', 'bad-checksum', 'ping', false])
    expect(new ProtocolError('bad-magic', 'not ours').fatal).toBe(true)
  })

  it('names each error after its concrete class', () => {
    expect(new ChainParamsError('x').name).toBe('ChainParamsError')
    expect(new DialTimeoutError('h:1', 1).name).toBe('DialTimeoutError')
  })
})
