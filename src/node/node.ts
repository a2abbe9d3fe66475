import { nullLoggerFactory, type Logger, type LoggerFactory } from '../log/logger.ts'
import type { Startable } from '../util/startable.ts'
import type { NodeConfig } from './config.ts'

export interface NodeComponents {
  logging: LoggerFactory
}

/** The assembled node (being assembled: the parts land one by one). */
export class Node implements Startable {
  readonly config: NodeConfig
  readonly #log: Logger

  constructor (config: NodeConfig, components: NodeComponents) {
    this.config = config
    this.#log = components.logging.subsystem('NODE')
  }

  async start (): Promise<void> {
    this.#log.event('node_started', { network: this.config.params.name }, 'node started')
  }

  async stop (): Promise<void> {
    this.#log.event('node_stopped', {}, 'node stopped')
  }

  logStatus (): void {
    this.#log.event('status', {}, 'status')
  }
}

export function createNode (config: NodeConfig, components: Partial<NodeComponents> = {}): Node {
  return new Node(config, { logging: components.logging ?? nullLoggerFactory })
}
