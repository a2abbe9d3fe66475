import type { ChainParams } from '../../src/chainparams/chainparams.ts'
import { honestInboundPeer } from '../../test/helpers/inbound-client.ts'
import { sleep } from './stats.ts'

/** Honest peers come one after another, this far apart: a trickle beside the flood, not a second flood. */
const HONEST_GAP_MS = 100

export interface HonestResult {
  readonly attempts: number
  /** Version and verack went both ways. */
  readonly completed: number
}

/**
 * Honest inbound peers, one at a time from their own loopback addresses (127.90.x.y, a netgroup no flood
 * uses), until `done` resolves: each completes its handshake (or is refused) and leaves.
 */
export async function honestPeersDuring (port: number, params: ChainParams, done: Promise<unknown>): Promise<HonestResult> {
  let over = false
  void done.finally(() => { over = true })
  let attempts = 0
  let completed = 0
  while (!over) {
    const peer = honestInboundPeer(port, `127.90.${(attempts >> 8) & 0xff}.${(attempts & 0xff) + 1}`, params)
    attempts++
    try {
      await peer.handshake()
      completed++
    } catch { /* refused: counted as an attempt only */ }
    peer.close('bench: done')
    await sleep(HONEST_GAP_MS)
  }
  return { attempts, completed }
}
