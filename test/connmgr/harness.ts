import { ConnManager } from '../../src/connmgr/conn-manager.ts'
import type { ConnManagerInit } from '../../src/connmgr/config.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom, type Random } from '../../src/util/random.ts'
import { recordingLogger } from '../helpers/recording-logger.ts'
import { scriptedDial, type DialOutcome, type FakeConn } from '../helpers/scripted-dial.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'

/** A ConnManager on the (fake-timer driven) system clock, a scripted dialer and a recording logger. */
export function makeManager (init: ConnManagerInit<FakeConn> = {}, options: {
  outcome?: (addr: NetAddress, index: number) => DialOutcome
  random?: Random
} = {}): { cm: ConnManager<FakeConn>, dialer: ReturnType<typeof scriptedDial>, logger: ReturnType<typeof recordingLogger> } {
  const dialer = scriptedDial(options.outcome)
  const logger = recordingLogger()
  const cm = new ConnManager({ clock: systemClock, random: options.random ?? seededRandom(1), logger, events: logger, dial: dialer.dial }, init)
  return { cm, dialer, logger }
}

/** getNewAddress over an endless supply of distinct loopback ports, counting calls. */
export function addressSupply (first = 1): { getNewAddress: () => NetAddress, calls: () => number } {
  let n = first
  let calls = 0
  return {
    getNewAddress: () => {
      calls++
      return { network: 'ipv4', host: '127.0.0.1', port: 20_000 + n++ }
    },
    calls: () => calls
  }
}
