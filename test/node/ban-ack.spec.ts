import { describe, expect, it } from 'vitest'
import { BanList } from '../../src/banlist/ban-list.ts'
import { acknowledgeBans } from '../../src/node/ban-ack.ts'
import type { NodeEvents } from '../../src/node/events.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { systemClock } from '../../src/util/clock.ts'
import { EventBus } from '../../src/util/event-bus.ts'
import { tempDir } from '../helpers/temp-dir.ts'

describe('acknowledgeBans', () => {
  it('emits bans_saved once every ban made before it is on disk, once for a burst', async () => {
    const datadir = tempDir('ban-ack')
    const store = await NodeStore.open(datadir, { clock: systemClock })
    const banList = new BanList({ clock: systemClock })
    store.bindBanList(banList)
    const events = new EventBus<NodeEvents>()
    const acks: Array<{ count: number, onDisk: boolean }> = []
    let written = false
    void store.bansSaved().then(() => { written = true })
    acknowledgeBans(banList, store, events)
    events.on('bans_saved', (p) => { acks.push({ count: p.count, onDisk: written }) })
    banList.ban('127.1.0.1', { reason: 'a' })
    banList.ban('127.2.0.1', { reason: 'b' })
    banList.ban('127.3.0.1', { reason: 'c' })
    const lastWrite = store.bansSaved()
    written = false
    void lastWrite.then(() => { written = true })
    await lastWrite
    await new Promise((resolve) => { setImmediate(resolve) })
    // The first ban starts a write, the next two join a second one: one acknowledgement, after the last write.
    expect(acks).toEqual([{ count: 3, onDisk: true }])
    await store.close()
    const snapshot = await NodeStore.readSnapshot(datadir, { clock: systemClock })
    expect(snapshot.bans.map((b) => b.target).sort()).toEqual(['127.1.0.1', '127.2.0.1', '127.3.0.1'])
  })
})
