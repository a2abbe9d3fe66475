/** Each test here would fail on btcd's ConnManager; the comment says what btcd does instead. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConnManager } from '../../src/connmgr/conn-manager.ts'
import { ConnReq, ConnState } from '../../src/connmgr/conn-req.ts'
import { ConnManagerConfigError, DialAbortedError, DuplicateAddressError } from '../../src/connmgr/errors.ts'
import { nullLogger } from '../../src/log/logger.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom } from '../../src/util/random.ts'
import { loopbackAddr } from '../helpers/scripted-dial.ts'
import { addressSupply, makeManager } from './harness.ts'

beforeEach(() => { vi.useFakeTimers({ now: 0 }) })
afterEach(() => { vi.useRealTimers() })

describe('ConnManager fixes: backoff', () => {
  it('retries a failing permanent peer exponentially with seeded ±20% jitter (btcd: 5, 10, 15 s, no jitter)', async () => {
    const { cm, dialer } = makeManager({}, { outcome: () => 'fail', random: seededRandom(7) })
    const delays: number[] = []
    cm.on('retry_scheduled', (_req, delayMs) => delays.push(delayMs))
    cm.start()
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    for (let i = 0; i < 4; i++) await vi.runOnlyPendingTimersAsync()
    const expected = seededRandom(7)
    const bases = [5_000, 10_000, 20_000, 40_000, 80_000]
    expect(delays).toEqual(bases.map((b) => Math.round(b * (1 + 0.2 * (2 * expected.float() - 1)))))
    expect(delays).toEqual([4_023, 8_248, 23_815, 43_184, 80_686])
    expect(dialer.calls).toHaveLength(5)
    await cm.stop()
  })

  it('dials again exactly when the delay has passed', async () => {
    const { cm, dialer } = makeManager({ backoffJitter: 0 }, { outcome: () => 'fail' })
    cm.start()
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    await vi.advanceTimersByTimeAsync(4_999)
    expect(dialer.calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(9_999)
    expect(dialer.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(dialer.calls).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(dialer.calls).toHaveLength(4)
    await cm.stop()
  })

  it('keeps btcd\'s linear formula as an option', async () => {
    const { cm } = makeManager({ backoff: 'linear', backoffJitter: 0 }, { outcome: () => 'fail' })
    const delays: number[] = []
    cm.on('retry_scheduled', (_req, delayMs) => delays.push(delayMs))
    cm.start()
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    for (let i = 0; i < 3; i++) await vi.runOnlyPendingTimersAsync()
    expect(delays).toEqual([5_000, 10_000, 15_000, 20_000])
    await cm.stop()
  })
})

describe('ConnManager fixes: stop and wait', () => {
  it('stop() cancels retry waits, aborts in-flight dials and closes connections; wait() waits for them', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 2, getNewAddress: supply.getNewAddress },
      { outcome: (addr) => addr.port === 20_001 ? 'succeed' : addr.port === loopbackAddr(99).port ? 'fail' : 'hold' })
    cm.start()
    cm.connect(new ConnReq({ addr: loopbackAddr(99), permanent: true }))
    await vi.advanceTimersByTimeAsync(0)
    const established = cm.requests().find((r) => r.state === ConnState.Established)
    expect(established).toBeDefined()
    const inFlight = dialer.held()
    expect(inFlight).toHaveLength(1)
    // btcd: the retry timer and the dial outlive Stop, and Wait returns regardless.
    let waited = false
    void cm.wait().then(() => { waited = true })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(waited).toBe(false)
    const stopping = cm.stop()
    expect(inFlight[0]?.signal.aborted).toBe(true)
    expect(inFlight[0]?.signal.reason).toBeInstanceOf(DialAbortedError)
    await stopping
    await Promise.resolve()
    expect(waited).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
    expect(established?.state).toBe(ConnState.Disconnected)
    expect(cm.requests()).toEqual([])
  })

  it('wait() does not resolve while a dial that ignores its signal is still running, and its late connection is closed', async () => {
    let finish: (() => void) | undefined
    const late = { closed: 0, closeSignal: new AbortController().signal, close () { this.closed++ } }
    const stubborn = new ConnManager({
      clock: systemClock,
      random: seededRandom(1),
      logger: nullLogger,
      dial: async () => await new Promise<typeof late>((resolve) => { finish = () => { resolve(late) } })
    })
    stubborn.start()
    stubborn.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    let waited = false
    void stubborn.wait().then(() => { waited = true })
    void stubborn.stop()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(waited).toBe(false)
    finish?.()
    await vi.advanceTimersByTimeAsync(0)
    expect(waited).toBe(true)
    expect(late.closed).toBe(1)
  })
})

describe('ConnManager fixes: remove() sticks', () => {
  it('remove() during a retry wait clears the timer; nothing is dialed again (btcd: the timer lives on)', async () => {
    const { cm, dialer } = makeManager({}, { outcome: () => 'fail' })
    cm.start()
    const cr = new ConnReq({ addr: loopbackAddr(1), permanent: true })
    cm.connect(cr)
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBe(1)
    cm.remove(cr.id)
    expect(vi.getTimerCount()).toBe(0)
    expect(cr.state).toBe(ConnState.Canceled)
    await vi.advanceTimersByTimeAsync(600_000)
    expect(dialer.calls).toHaveLength(1)
    cm.connect(cr)
    cm.disconnect(cr.id)
    await vi.advanceTimersByTimeAsync(600_000)
    expect(dialer.calls).toHaveLength(1)
    await cm.stop()
  })

  it('remove() of a retry dial in flight aborts it (btcd: the dial runs on and its result is discarded)', async () => {
    const { cm, dialer } = makeManager({ backoffJitter: 0 }, { outcome: (_a, i) => i === 0 ? 'succeed' : 'hold' })
    cm.start()
    const cr = new ConnReq({ addr: loopbackAddr(1), permanent: true })
    cm.connect(cr)
    await vi.advanceTimersByTimeAsync(0)
    cm.disconnect(cr.id)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(dialer.calls).toHaveLength(2)
    cm.remove(cr.id)
    expect(dialer.calls[1]?.signal.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(600_000)
    expect(dialer.calls).toHaveLength(2)
    expect(cr.state).toBe(ConnState.Canceled)
    await cm.stop()
  })

  it('remove() from the disconnection callback of a permanent peer stops the reconnect', async () => {
    const { cm, dialer } = makeManager({}, { outcome: () => 'succeed' })
    cm.on('disconnected', (req) => { cm.remove(req.id) })
    cm.start()
    const cr = new ConnReq({ addr: loopbackAddr(1), permanent: true })
    cm.connect(cr)
    await vi.advanceTimersByTimeAsync(0)
    cm.disconnect(cr.id)
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(600_000)
    expect(dialer.calls).toHaveLength(1)
    expect(cr.state).toBe(ConnState.Canceled)
    await cm.stop()
  })
})

describe('ConnManager fixes: one request per address', () => {
  it('an in-use address from getNewAddress is a failed pick and another is asked for (btcd dials it twice)', async () => {
    const picks = [loopbackAddr(1), loopbackAddr(1), loopbackAddr(2)]
    let asked = 0
    const { cm, dialer, logger } = makeManager({ targetOutbound: 2, getNewAddress: () => picks[asked++] ?? loopbackAddr(50 + asked) })
    cm.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.calls.map((c) => c.addr.port)).toEqual([20_001, 20_002])
    expect(asked).toBe(3)
    expect(logger.records.find((r) => r.event === 'address_unavailable')?.fields.reason).toBe('duplicate')
    await cm.stop()
  })

  it('an address book that only offers in-use addresses is throttled after 25 picks, not spun on', async () => {
    let asked = 0
    const { cm, dialer } = makeManager({ targetOutbound: 3, dialStaggerMs: 60_000, getNewAddress: () => { asked++; return loopbackAddr(1) } })
    cm.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.calls).toHaveLength(1)
    expect(asked).toBe(27)
    await vi.advanceTimersByTimeAsync(4_999)
    expect(asked).toBe(27)
    await vi.advanceTimersByTimeAsync(1)
    expect(asked).toBe(29)
    await cm.stop()
  })

  it('connect() of an address already pending or established is refused with DuplicateAddressError', async () => {
    const { cm, dialer, logger } = makeManager({}, { outcome: (_a, i) => i === 0 ? 'succeed' : 'hold' })
    cm.start()
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    cm.connect(new ConnReq({ addr: loopbackAddr(2), permanent: true }))
    await vi.advanceTimersByTimeAsync(0)
    expect(() => { cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true })) }).toThrow(DuplicateAddressError)
    expect(() => { cm.connect(new ConnReq({ addr: loopbackAddr(2), permanent: true })) }).toThrow(/127\.0\.0\.1:20002 is already in use by reqid 2/)
    expect(dialer.calls).toHaveLength(2)
    expect(logger.records.filter((r) => r.event === 'connect_refused')).toHaveLength(2)
    await cm.stop()
  })
})

describe('ConnManager fixes: state machine', () => {
  it('an automatic request dropped on disconnect ends Disconnected, not a stale Established', async () => {
    // btcd: with a permanent peer connected, len(conns) is not below a target of 1, so the automatic
    // request is dropped and keeps ConnEstablished.
    const supply = addressSupply(10)
    const { cm } = makeManager({ targetOutbound: 1, getNewAddress: supply.getNewAddress }, { outcome: () => 'succeed' })
    cm.start()
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    await vi.advanceTimersByTimeAsync(0)
    const automatic = cm.requests().find((r) => !r.permanent)
    expect(automatic?.state).toBe(ConnState.Established)
    cm.disconnect(automatic?.id ?? 0)
    expect(automatic?.state).toBe(ConnState.Disconnected)
    expect(cm.requests()).not.toContain(automatic)
    await cm.stop()
  })

  it('refills after a disconnect in the same tick', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 2, getNewAddress: supply.getNewAddress }, { outcome: () => 'succeed' })
    cm.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.calls).toHaveLength(2)
    cm.disconnect(cm.requests()[0]?.id ?? 0)
    expect(dialer.calls).toHaveLength(3)
    await cm.stop()
  })

  it('a failed non-permanent request without getNewAddress is dropped, not left pending (btcd leaks it)', async () => {
    const { cm } = makeManager({}, { outcome: () => 'fail' })
    cm.start()
    const cr = new ConnReq({ addr: loopbackAddr(1) })
    cm.connect(cr)
    await vi.advanceTimersByTimeAsync(0)
    expect(cr.state).toBe(ConnState.Failing)
    expect(cm.requests()).toEqual([])
    await cm.stop()
  })

  it('targetOutbound 0 means no automatic outbound (btcd turns 0 into 8)', async () => {
    const supply = addressSupply()
    const { cm, dialer } = makeManager({ targetOutbound: 0, getNewAddress: supply.getNewAddress }, { outcome: () => 'succeed' })
    cm.start()
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    await vi.advanceTimersByTimeAsync(10_000)
    expect(supply.calls()).toBe(0)
    expect(dialer.calls).toHaveLength(1)
    await cm.stop()
  })

  it('an empty address book is asked again every second per slot, not 25 times at once (btcd spins)', async () => {
    let asked = 0
    const { cm } = makeManager({ targetOutbound: 8, getNewAddress: () => { asked++; throw new Error('address book is empty') } })
    cm.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(asked).toBe(8)
    await vi.advanceTimersByTimeAsync(999)
    expect(asked).toBe(8)
    await vi.advanceTimersByTimeAsync(1)
    expect(asked).toBe(16)
    await cm.stop()
  })

  it('a dial that fails after TCP connected (e.g. the handshake) is a failed attempt: no connection, retry', async () => {
    const { cm } = makeManager({}, { outcome: () => 'fail' })
    const connected: ConnReq[] = []
    const failed: unknown[] = []
    cm.on('connected', (req) => connected.push(req))
    cm.on('dial_failed', (_req, err) => failed.push(err))
    cm.start()
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    await vi.advanceTimersByTimeAsync(0)
    expect(connected).toEqual([])
    expect(failed).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(1)
    await cm.stop()
  })

  it('rejects bad init values with an error naming the option', () => {
    expect(() => makeManager({ targetOutbound: -1 })).toThrow(ConnManagerConfigError)
    expect(() => makeManager({ retryDurationMs: 0 })).toThrow(/retryDurationMs is 0 \(expected an integer >= 1\)/)
    expect(() => makeManager({ backoff: 'cubic' as never })).toThrow(/backoff is "cubic"/)
    expect(() => makeManager({ backoffJitter: 1.5 })).toThrow(/backoffJitter/)
  })
})

describe('ConnManager lifecycle log records', () => {
  it('logs outbound_connected, dial_failed, retry_scheduled and outbound_disconnected with stable fields', async () => {
    const { cm, logger } = makeManager({ backoffJitter: 0 }, { outcome: (_a, i) => i === 0 ? 'fail' : 'succeed' })
    cm.start()
    const cr = new ConnReq({ addr: loopbackAddr(1), permanent: true })
    cm.connect(cr)
    await vi.advanceTimersByTimeAsync(5_000)
    cm.remove(cr.id)
    const events = logger.records.filter((r) => r.event !== undefined && r.level !== 'debug')
    expect(events.map((r) => [r.event, r.fields])).toEqual([
      ['dial_failed', { addr: '127.0.0.1:20001', id: 1, permanent: true, reason: 'connection refused' }],
      ['retry_scheduled', { addr: '127.0.0.1:20001', id: 1, permanent: true, retryCount: 1, delayMs: 5_000 }],
      ['outbound_connected', { addr: '127.0.0.1:20001', id: 1, permanent: true }],
      ['outbound_disconnected', { addr: '127.0.0.1:20001', id: 1, permanent: true, reason: 'removed' }]
    ])
    await cm.stop()
  })
})

describe('ConnManager: a connection that closes on its own', () => {
  it('is replaced at once when automatic, retried with backoff when permanent (no node glue: the closeSignal)', async () => {
    const supply = addressSupply(10)
    // btcd's behaviour, returns off (conn-manager.returns.spec.ts has the default).
    const { cm, dialer, logger } = makeManager({ targetOutbound: 1, getNewAddress: supply.getNewAddress, returns: { windowMs: 0 } })
    const retries: number[] = []
    cm.on('retry_scheduled', (_req, delayMs) => retries.push(delayMs))
    cm.start()
    cm.connect(new ConnReq({ addr: loopbackAddr(1), permanent: true }))
    expect(dialer.calls).toHaveLength(2)
    const conns = dialer.calls.map((c) => c.succeed())
    await vi.advanceTimersByTimeAsync(0)
    expect(logger.records.filter((r) => r.event === 'outbound_connected')).toHaveLength(2)
    // The peers go away by themselves: nobody calls disconnect().
    for (const conn of conns) conn.drop()
    await vi.advanceTimersByTimeAsync(0)
    const reasons = logger.records.filter((r) => r.event === 'outbound_disconnected').map((r) => [r.fields.permanent, r.fields.reason])
    expect(reasons).toEqual(expect.arrayContaining([[false, 'replace'], [true, 'reconnect']]))
    expect(retries).toHaveLength(1)
    expect(dialer.calls).toHaveLength(3) // the automatic slot was refilled at once; the permanent peer waits
    expect(conns.map((c) => c.closed)).toEqual([1, 1]) // each closed once by the manager, none twice
    await cm.stop()
  })
})
