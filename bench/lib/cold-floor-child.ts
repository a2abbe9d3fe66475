/**
 * The cold floor's child: a fresh Node process that imports only the chainparams loader and the wire,
 * peer and transport code, then opens sessions with the given live peers all at once and prints, as one
 * JSON line on stdout, the ms from the first connect to the last verack. Nothing of the node (address
 * book, connection manager, logging, LevelDB) is loaded: what is left is Node and our handshake path,
 * cold.
 *
 * Usage: node cold-floor-child.js <chainparams.json> <host:port>…
 */
import { loadChainParams } from '../../src/chainparams/chainparams.ts'
import { netAddressFrom, parseHostPort } from '../../src/netaddr/netaddress.ts'
import { NonceRegistry } from '../../src/peer/nonces.ts'
import { systemRandom } from '../../src/util/random.ts'
import { connectAndHandshake } from './handshake.ts'

const [paramsFile, ...targets] = process.argv.slice(2)
if (paramsFile === undefined || targets.length === 0) {
  process.stderr.write('usage: cold-floor-child <chainparams.json> <host:port>…\n')
  process.exit(2)
}
const params = loadChainParams(paramsFile)
const addrs = targets.map((t) => netAddressFrom(parseHostPort(t, params.defaultPort, 'peer'), 'peer'))
const nonces = new NonceRegistry(systemRandom)
const start = performance.now()
await Promise.all(addrs.map(async (addr, i) => await connectAndHandshake(addr, params, 'v1', nonces, i + 1)))
process.stdout.write(`${JSON.stringify({ firstConnectToLastVerackMs: performance.now() - start, sessions: addrs.length })}\n`)
