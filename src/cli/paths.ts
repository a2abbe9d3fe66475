import { homedir } from 'node:os'
import { join } from 'node:path'

/** The folder in the home directory that holds one data directory per network. */
const DATA_ROOT_NAME = '.peerkeeper'

/** The default data directory of a network: ~/.peerkeeper/<network>. */
export function defaultDataDir (network: string): string {
  return join(homedir(), DATA_ROOT_NAME, network)
}

/** defaultDataDir as --help shows it. */
export const DEFAULT_DATA_DIR_DESCRIPTION = join('~', DATA_ROOT_NAME, '<network>')

/** `~/x` → the home directory's x, as a shell would do for flags (config files and env do not expand). */
export function expandHome (path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path
}
