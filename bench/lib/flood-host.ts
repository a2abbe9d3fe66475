import { flood, type FloodInit } from './flood.ts'

/**
 * Child-process entry (forked by floodFromChild): the flood's clients get an event loop of their own, so a
 * busy bench process (its heap, the simulator) cannot delay their reads and miscount answers as silence.
 */
process.once('message', (message) => {
  const { payload, ...rest } = message as Omit<FloodInit, 'payload'> & { payload: number[] }
  flood({ ...rest, payload: Uint8Array.from(payload) }).then(
    (result) => { process.send?.({ result }, () => { process.disconnect() }) },
    (err: unknown) => { process.send?.({ error: err instanceof Error ? err.message : String(err) }, () => { process.disconnect() }) }
  )
})
