// Preloaded with `node --import` into the built CLI by test/helpers/loads.ts and the start-up benchmark:
// records every module the process loads (ESM URLs through a loader hook, CommonJS files from the require
// cache), every native addon it opens (process.dlopen), its peak RSS and the size V8's new space reached, and writes them as JSON to
// $PK_TEST_LOADS_OUT when the process exits.
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'
import { getHeapSpaceStatistics } from 'node:v8'
import { MessageChannel } from 'node:worker_threads'

const modules = []
const addons = []
const { port1, port2 } = new MessageChannel()
port1.on('message', (url) => { modules.push(url) })
port1.unref()
register(`data:text/javascript,${encodeURIComponent(`
let port
export function initialize (data) { port = data.port }
export async function load (url, context, next) { port.postMessage(url); return next(url, context) }
`)}`, { data: { port: port2 }, transferList: [port2] })

const dlopen = process.dlopen
process.dlopen = function (module, filename, ...rest) {
  addons.push(filename)
  return dlopen.call(this, module, filename, ...rest)
}

// The peak of this program's own memory (VmHWM): getrusage's maxRSS survives exec on Linux and so
// reports the spawning process's size when that was larger (a bench parent of ~90 MB made `node -e 0` 95 MB).
const peakRssKb = () => Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? process.resourceUsage().maxRSS)

process.on('exit', () => {
  const commonjs = Object.keys(createRequire(import.meta.url).cache)
  const newSpaceBytes = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size
  writeFileSync(process.env.PK_TEST_LOADS_OUT, JSON.stringify({ modules, commonjs, addons, maxRssKb: peakRssKb(), newSpaceBytes }))
})
