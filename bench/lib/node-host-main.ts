import { keepYoungGenerationSmall } from '../../src/cli/young-generation.ts'

// The node host's entry (forked by NodeChild): V8's young generation is handled as `peerkeeper run`
// handles it (small while the modules load and the node starts, V8's default growth after), so the
// flood and resource numbers are those of the CLI's node. PK_BENCH_CHILD_FLAGS with a semi-space flag
// overrides it, as an operator's flag does.
keepYoungGenerationSmall()
await import('./node-host.ts')
