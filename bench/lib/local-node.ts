import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AddrBook } from '../../src/addrbook/addr-book.ts'
import { nullLogger } from '../../src/log/logger.ts'
import type { NetAddress } from '../../src/netaddr/netaddress.ts'
import { buildNodeConfig } from '../../src/cli/node-config.ts'
import type { RunOptions } from '../../src/cli/run-flags.ts'
import { createNode, type Node, type NodeTiming } from '../../src/node/node.ts'
import { NodeStore } from '../../src/store/node-store.ts'
import { createDialer } from '../../src/transport/create-dialer.ts'
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../src/transport/tcp-dialer.ts'
import { systemClock } from '../../src/util/clock.ts'
import { seededRandom, systemRandom } from '../../src/util/random.ts'
import { writeLocalChainParams } from '../../test/helpers/local-chainparams.ts'
import { NodeProbe } from './probe.ts'

/** NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED, what the sim peers are recorded with. */
const BOOK_SERVICES = 1033n
/** Last seen an hour ago: fresh, so no address is "terrible" by age. */
const LAST_SEEN_AGO_S = 3600

/**
 * Writes an address book holding `addrs` into a fresh data directory's store, the way a node that had
 * learnt them would have left it (each address announced by itself, so sources spread over many groups).
 * A few addresses can lose their bucket slot to another, as in any keyed book; `kept` says how many stayed.
 */
export async function prefilledDataDir (addrs: readonly NetAddress[], seed: number, services = BOOK_SERVICES): Promise<{ datadir: string, kept: number }> {
  const datadir = await mkdtemp(join(tmpdir(), 'pk-bench-node-'))
  const book = new AddrBook({ clock: systemClock, random: seededRandom(seed), logger: nullLogger }, { allowLocal: true })
  const time = Math.floor(Date.now() / 1000) - LAST_SEEN_AGO_S
  for (const addr of addrs) book.add([{ addr, services, time }], addr)
  const size = book.size()
  const store = await NodeStore.open(datadir, { clock: systemClock })
  try {
    await store.saveAddrBookKey(book.key)
    await store.writeAddrChanges({ put: book.exportRecords(), del: [] })
  } finally {
    await store.close()
  }
  return { datadir, kept: size.new + size.tried }
}

export async function removeDataDir (datadir: string): Promise<void> {
  await rm(datadir, { recursive: true, force: true })
}

/**
 * The options `peerkeeper run` would get for a node on the simulated network: regtest-like chainparams
 * with the sim's port and allowLocalAddresses (written into the data directory), no DNS seeding, no
 * listening unless asked.
 */
export function simRunOptions (simPort: number, datadir: string, extra: RunOptions = {}): RunOptions {
  return { chainparams: writeLocalChainParams(simPort, datadir), nodnsseed: true, nolisten: true, norpc: true, datadir, ...extra }
}

/** The real node (createNode, as `peerkeeper run` builds it) with a probe on its events and its dialer. */
export function probedNode (options: RunOptions, timing: NodeTiming = {}, probe = new NodeProbe()): { node: Node, probe: NodeProbe } {
  const config = buildNodeConfig(options)
  const dialer = probe.dialer(createDialer({ clock: systemClock, random: systemRandom, logger: nullLogger }, {
    connectTimeoutMs: timing.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  }))
  const node = createNode(config, { dialer, timing })
  probe.attach(node.events)
  return { node, probe }
}
