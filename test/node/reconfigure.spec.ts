import { describe, expect, it } from 'vitest'
import { buildNodeConfig } from '../../src/cli/node-config.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import { applyLiveSettings, changedSettings, liveSettingsOf, restartOnlyChanges } from '../../src/node/reconfigure.ts'

const config = (extra: RunOptions): ReturnType<typeof buildNodeConfig> => buildNodeConfig({ network: 'regtest', nodnsseed: true, datadir: '/tmp/pk-unused', ...extra })

describe('reconfigure', () => {
  it('names the live settings that changed; lists compare as sets', () => {
    const before = liveSettingsOf(config({ whitelist: ['noban@10.0.0.0/8', '192.0.2.1'], deny: ['198.51.100.0/24'] }))
    expect(changedSettings(before, liveSettingsOf(config({ whitelist: ['192.0.2.1', 'noban@10.0.0.0/8'], deny: ['198.51.100.0/24'] })))).toEqual([])
    const after = liveSettingsOf(config({ maxinboundperip: '1', inboundrate: 'unlimited', whitelist: ['addr@10.0.0.0/8', '192.0.2.1'], debuglevel: 'debug' }))
    expect(changedSettings(before, after)).toEqual(['maxInboundPerIp', 'inboundRatePerSecond', 'whitelist', 'deny', 'debugLevel'])
  })

  it('names the settings read only at start, leaving out the live ones', () => {
    const running = config({})
    expect(restartOnlyChanges(running, config({ maxinboundperip: '1', debuglevel: 'debug', deny: ['10.0.0.0/8'] }))).toEqual([])
    expect(restartOnlyChanges(running, config({ maxpeers: 10, logformat: 'json' }))).toEqual(['inbound', 'maxPeers', 'logging'])
  })

  it('checks the log level before anything changes', () => {
    const before = liveSettingsOf(config({}))
    expect(() => applyLiveSettings(undefined, before, { ...before, debugLevel: 'loud' })).toThrow('"loud" has unknown level')
    expect(applyLiveSettings(undefined, before, { ...before, debugLevel: 'debug' })).toEqual({ changed: ['debugLevel'], dropped: 0 })
  })
})
