import { describe, expect, it } from 'vitest'
import { atPendingCap, MAX_FAILED_ATTEMPTS, mayDisplace, mayStagger, planFailure, refillCount } from '../../src/connmgr/outbound-plan.ts'

const delays = { retryDurationMs: 5_000, noAddressRetryMs: 1_000 }

describe('outbound plan', () => {
  it('refills up to the target, counting pending and established automatic requests', () => {
    expect(refillCount({ target: 8, autoEstablished: 0, autoPending: 0 })).toBe(8)
    expect(refillCount({ target: 8, autoEstablished: 5, autoPending: 2 })).toBe(1)
    expect(refillCount({ target: 8, autoEstablished: 5, autoPending: 6 })).toBe(0)
    expect(refillCount({ target: 0, autoEstablished: 0, autoPending: 0 })).toBe(0)
  })

  it('staggers only when every slot is taken and the target is not reached', () => {
    expect(mayStagger({ target: 2, autoEstablished: 0, autoPending: 2 })).toBe(true)
    expect(mayStagger({ target: 2, autoEstablished: 0, autoPending: 1 })).toBe(false)
    expect(mayStagger({ target: 2, autoEstablished: 1, autoPending: 3 })).toBe(true)
    expect(mayStagger({ target: 2, autoEstablished: 0, autoPending: 4 })).toBe(true)
    expect(mayStagger({ target: 2, autoEstablished: 2, autoPending: 1 })).toBe(false)
  })

  it('is at the pending cap once every slot is taken and maxPendingDials are pending; displaces until 25 failures in a row', () => {
    expect(atPendingCap({ target: 2, autoEstablished: 0, autoPending: 4 }, 4)).toBe(true)
    expect(atPendingCap({ target: 2, autoEstablished: 0, autoPending: 3 }, 4)).toBe(false)
    expect(atPendingCap({ target: 8, autoEstablished: 0, autoPending: 4 }, 4)).toBe(false) // free slots first
    expect(mayDisplace(0)).toBe(true)
    expect(mayDisplace(MAX_FAILED_ATTEMPTS - 1)).toBe(true)
    expect(mayDisplace(MAX_FAILED_ATTEMPTS)).toBe(false)
  })

  it('retries permanent requests, drops unreplaceable ones, and throttles after 25 failures in a row', () => {
    expect(planFailure({ permanent: true, canReplace: true, cause: 'dial', failedAttempts: 99 }, delays)).toEqual({ action: 'retry' })
    expect(planFailure({ permanent: false, canReplace: false, cause: 'dial', failedAttempts: 1 }, delays)).toEqual({ action: 'drop' })
    expect(planFailure({ permanent: false, canReplace: true, cause: 'dial', failedAttempts: MAX_FAILED_ATTEMPTS - 1 }, delays))
      .toEqual({ action: 'replace', throttleMs: 0 })
    expect(planFailure({ permanent: false, canReplace: true, cause: 'duplicate', failedAttempts: MAX_FAILED_ATTEMPTS }, delays))
      .toEqual({ action: 'replace', throttleMs: 5_000 })
    expect(planFailure({ permanent: false, canReplace: true, cause: 'no_address', failedAttempts: 0 }, delays))
      .toEqual({ action: 'replace', throttleMs: 1_000 })
  })
})
