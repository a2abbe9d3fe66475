/**
 * btcd's connmanager_test.go, ported (outbound side; the listener tests are in conn-manager.inbound.spec.ts
 * and inbound-limiter.spec.ts). Where peerkeeper deliberately differs, the test says so.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConnManager } from '../../src/connmgr/conn-manager.ts'
import { ConnReq, ConnState } from '../../src/connmgr/conn-req.ts'
import { DialNilError } from '../../src/connmgr/errors.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { loopbackAddr, type FakeConn } from '../helpers/scripted-dial.ts'
import { addressSupply, makeManager } from './harness.ts'

const flush = async (): Promise<void> => { await vi.advanceTimersByTimeAsync(0) }

describe('ConnManager: btcd tests', () => {
  beforeEach(() => { vi.useFakeTimers({ now: 0 }) })
  afterEach(() => { vi.useRealTimers() })

  it('TestNewConfig: without a dial function construction fails with DialNilError', () => {
    const components = { clock: systemClock, random: seededRandom(1), logger: nullLogger }
    expect(() => new ConnManager(components as never)).toThrow(DialNilError)
    expect(() => new ConnManager(components as never)).toThrow('Config: Dial cannot be nil')
    expect(() => new ConnManager({ ...components, dial: async () => ({ close () {}, closeSignal: new AbortController().signal }) })).not.toThrow()
  })

  it('TestStartStop: a second stop is harmless; connect, disconnect and remove after stop do nothing', async () => {
    const supply = addressSupply()
    const disconnected: ConnReq[] = []
    const { cm } = makeManager({ targetOutbound: 1, getNewAddress: supply.getNewAddress, onDisconnection: (r) => disconnected.push(r) },
      { outcome: () => 'succeed' })
    const connected = new Promise<ConnReq>((resolve) => cm.once('connected', (req) => { resolve(req) }))
    cm.start()
    const got = await connected
    await cm.stop()
    await cm.stop()
    const cr = new ConnReq({ addr: loopbackAddr(99), permanent: true })
    cm.connect(cr)
    expect(cr.id).toBe(0)
    cm.disconnect(got.id)
    cm.remove(got.id)
    await vi.advanceTimersByTimeAsync(10)
    expect(disconnected).toEqual([])
  })

  it('TestConnectMode: without getNewAddress one permanent connect gives exactly one connection', async () => {
    const connected: ConnReq[] = []
    const { cm } = makeManager({ targetOutbound: 2, onConnection: (r) => connected.push(r) }, { outcome: () => 'succeed' })
    const cr = new ConnReq({ addr: loopbackAddr(1), permanent: true })
    cm.start()
    cm.connect(cr)
    await flush()
    expect(connected).toHaveLength(1)
    expect(connected[0]?.id).toBe(cr.id)
    expect(cr.state).toBe(ConnState.Established)
    await vi.advanceTimersByTimeAsync(1)
    expect(connected).toHaveLength(1)
    await cm.stop()
  })

  it('TestTargetOutbound: a target of 10 gives exactly 10 connections', async () => {
    // btcd hands out one address ten times; peerkeeper never dials an address twice, so the supply is distinct.
    const supply = addressSupply()
    const connected: ConnReq[] = []
    const { cm } = makeManager({ targetOutbound: 10, getNewAddress: supply.getNewAddress, onConnection: (r) => connected.push(r) },
      { outcome: () => 'succeed' })
    cm.start()
    await vi.advanceTimersByTimeAsync(1)
    expect(connected).toHaveLength(10)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(connected).toHaveLength(10)
    await cm.stop()
  })

  for (const permanentBeforeStart of [true, false]) {
    it(`TestTargetOutboundComposition: 3 automatic + 2 permanent (permanent ${permanentBeforeStart ? 'before' : 'after'} start)`, async () => {
      const supply = addressSupply(100)
      const connected: ConnReq[] = []
      const { cm } = makeManager({ targetOutbound: 3, getNewAddress: supply.getNewAddress, onConnection: (r) => connected.push(r) },
        { outcome: () => 'succeed' })
      const connectPermanent = (): void => {
        for (let i = 0; i < 2; i++) cm.connect(new ConnReq({ addr: loopbackAddr(i), permanent: true }))
      }
      if (permanentBeforeStart) {
        connectPermanent()
        expect(cm.requests().map((r) => r.id)).toEqual([1, 2])
      }
      cm.start()
      if (!permanentBeforeStart) connectPermanent()
      await flush()
      expect(connected.filter((r) => !r.permanent)).toHaveLength(3)
      expect(connected.filter((r) => r.permanent)).toHaveLength(2)
      await vi.advanceTimersByTimeAsync(10)
      expect(connected).toHaveLength(5)
      await cm.stop()
    })
  }

  it('TestRetryPermanent: disconnect retries the same request; remove ends it Disconnected', async () => {
    const connected: ConnReq[] = []
    const states: ConnState[] = []
    const { cm } = makeManager({
      retryDurationMs: 1,
      targetOutbound: 1,
      onConnection: (r) => connected.push(r),
      onDisconnection: (r) => states.push(r.state)
    }, { outcome: () => 'succeed' })
    const cr = new ConnReq({ addr: loopbackAddr(1), permanent: true })
    cm.connect(cr)
    cm.start()
    await flush()
    expect(connected.map((r) => r.id)).toEqual([cr.id])
    expect(cr.state).toBe(ConnState.Established)

    cm.disconnect(cr.id)
    expect(states).toEqual([ConnState.Pending])
    expect(cr.state).toBe(ConnState.Pending)
    await vi.advanceTimersByTimeAsync(2)
    expect(connected.map((r) => r.id)).toEqual([cr.id, cr.id])
    expect(cr.state).toBe(ConnState.Established)

    cm.remove(cr.id)
    expect(states).toEqual([ConnState.Pending, ConnState.Disconnected])
    expect(cr.state).toBe(ConnState.Disconnected)
    await cm.stop()
  })

  it('TestMaxRetryDuration: with the cap at 2 ms it connects soon after the network comes up', async () => {
    let networkUp = false
    setTimeout(() => { networkUp = true }, 5)
    const connected: ConnReq[] = []
    const { cm } = makeManager({ retryDurationMs: 1, maxRetryDurationMs: 2, targetOutbound: 1, onConnection: (r) => connected.push(r) },
      { outcome: () => networkUp ? 'succeed' : 'fail' })
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    cm.start()
    await vi.advanceTimersByTimeAsync(100)
    expect(connected).toHaveLength(1)
    await cm.stop()
  })

  it('TestNetworkFailure: target 5, retry 5 ms, every dial fails, stopped at 10 ms: at most 75 dials', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 5, retryDurationMs: 5, getNewAddress: supply.getNewAddress,
      onConnection: () => { throw new Error('unexpected connection') } }, { outcome: () => 'fail' })
    cm.start()
    setTimeout(() => { void cm.stop() }, 10)
    const waited = cm.wait()
    await vi.advanceTimersByTimeAsync(10)
    await waited
    expect(dialer.calls.length).toBeGreaterThan(0)
    expect(dialer.calls.length).toBeLessThanOrEqual(75)
  })

  it('TestStopFailed: a failure seen while stopping is ignored and wait() returns', async () => {
    let cm: ConnManager<FakeConn> | undefined
    const made = makeManager({}, {
      outcome: () => {
        void cm?.stop()
        return 'fail'
      }
    })
    cm = made.cm
    cm.start()
    const cr = new ConnReq({ addr: loopbackAddr(1), permanent: true })
    cm.connect(cr)
    await cm.wait()
    expect(made.dialer.calls).toHaveLength(1)
    expect(cr.state).toBe(ConnState.Canceled)
    expect(made.logger.records.some((r) => r.event === 'retry_scheduled')).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('TestRemovePendingConnection: removing a pending request cancels it', async () => {
    const { cm, dialer } = makeManager()
    cm.start()
    const cr = new ConnReq({ addr: loopbackAddr(1), permanent: true })
    cm.connect(cr)
    await vi.advanceTimersByTimeAsync(10)
    expect(cr.state).toBe(ConnState.Pending)
    cm.remove(cr.id)
    await vi.advanceTimersByTimeAsync(10)
    expect(cr.state).toBe(ConnState.Canceled)
    expect(dialer.calls[0]?.signal.aborted).toBe(true)
    await cm.stop()
  })

  it('TestCancelIgnoreDelayedConnection: a canceled request never reaches onConnection', async () => {
    // In btcd a failed non-permanent request without getNewAddress stays pending as Failing for ever and
    // remove() turns it Canceled. peerkeeper drops it at once (no leak), so remove() has nothing to cancel;
    // what the test is about holds either way: no later dial, no onConnection.
    let up = false
    const connected: ConnReq[] = []
    const { cm, dialer } = makeManager({ retryDurationMs: 10, onConnection: (r) => connected.push(r) },
      { outcome: () => up ? 'succeed' : 'fail' })
    cm.start()
    const cr = new ConnReq({ addr: loopbackAddr(1) })
    cm.connect(cr)
    await vi.advanceTimersByTimeAsync(20)
    expect(cr.state).toBe(ConnState.Failing)
    cm.remove(cr.id)
    up = true
    await vi.advanceTimersByTimeAsync(5)
    expect(cr.state).toBe(ConnState.Failing)
    expect(cm.requests()).toEqual([])
    await vi.advanceTimersByTimeAsync(50)
    expect(connected).toEqual([])
    expect(dialer.calls).toHaveLength(1)
    await cm.stop()
  })
})
