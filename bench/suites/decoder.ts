import { encodeMessage } from '../../src/wire/encode.ts'
import { MessageDecoder } from '../../src/wire/decoder.ts'
import type { KnownMessage } from '../../src/wire/messages.ts'
import type { TimedAddress } from '../../src/netaddr/netaddress.ts'
import { loadNetwork } from '../../src/chainparams/chainparams.ts'
import { nowMs, repeat, summarize } from '../lib/stats.ts'
import type { Suite } from '../lib/result.ts'

/** Bytes decoded per round in one chunk; byte-by-byte rounds use less (one push per byte is the slow path). */
const BULK_BYTES = 4_000_000
const BYTEWISE_BYTES = 500_000
const ROUNDS = 7
const BUDGET_MS = 3_000

function addrMessage (command: 'addr' | 'addrv2', base: number): KnownMessage {
  const addrs: TimedAddress[] = []
  for (let i = 0; i < 1000; i++) {
    const n = base + i
    addrs.push({ addr: { network: 'ipv4', host: `${1 + (n >> 16) % 200}.${(n >> 8) & 255}.${n & 255}.1`, port: 8333 }, services: 1033n, time: 1_700_000_000 + i })
  }
  return { command, addrs }
}

function stream (message: () => KnownMessage, magic: Uint8Array, bytes: number): Uint8Array[] {
  const frames: Uint8Array[] = []
  let total = 0
  while (total < bytes) {
    const frame = encodeMessage(magic, message())
    frames.push(frame)
    total += frame.length
  }
  return frames
}

function decode (magic: Uint8Array, data: Uint8Array, bytewise: boolean): number {
  const decoder = new MessageDecoder(magic)
  let messages = 0
  if (bytewise) {
    for (let i = 0; i < data.length; i++) messages += decoder.push(data.subarray(i, i + 1)).length
  } else {
    messages += decoder.push(data).length
  }
  return messages
}

/** Measurement 6: decoder throughput in MB/s for big addr messages and small pings, bulk and byte by byte. */
export const decoderSuite: Suite = {
  name: 'decoder',
  async run (report) {
    const magic = loadNetwork('mainnet').magic
    let nonce = 0n
    const cases = [
      { label: 'addr (1000 entries)', make: () => addrMessage('addr', 0) },
      { label: 'addrv2 (1000 entries)', make: () => addrMessage('addrv2', 0) },
      { label: 'ping', make: (): KnownMessage => ({ command: 'ping', nonce: nonce++ }) }
    ]
    for (const c of cases) {
      for (const bytewise of [false, true]) {
        const frames = stream(c.make, magic, bytewise ? BYTEWISE_BYTES : BULK_BYTES)
        const data = Buffer.concat(frames)
        const samples = await repeat(ROUNDS, BUDGET_MS, () => {
          const start = nowMs()
          const decoded = decode(magic, data, bytewise)
          const seconds = (nowMs() - start) / 1000
          if (decoded !== frames.length) throw new Error(`decoded ${decoded} of ${frames.length} messages`)
          return data.length / 1e6 / seconds
        })
        report({
          name: `6 decode ${c.label}, ${bytewise ? 'byte by byte' : 'one chunk'}`,
          unit: 'MB/s',
          summary: summarize(samples),
          extra: { bytes: data.length, messages: frames.length, note: 'median/p99 of throughput per round (higher is better)' }
        })
      }
    }
  }
}
