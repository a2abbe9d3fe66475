import { RpcError } from './errors.ts'
import { RPC_ERROR, type RpcParams } from './protocol.ts'

export type ParamType = 'string' | 'number' | 'boolean' | 'object' | 'array'

export interface ParamSpec {
  readonly name: string
  readonly type: ParamType
  readonly optional?: boolean
  /** One line for `help METHOD`. */
  readonly description?: string
}

/** A method's arguments by parameter name; an absent (or null) optional parameter is undefined. */
export type RpcArgs = Readonly<Record<string, unknown>>

export interface RpcMethod {
  readonly params: readonly ParamSpec[]
  /** What the method does and returns, shown by `help METHOD`. */
  readonly help: string
  /** Groups `help` (Core's "== Network ==" sections); "Control" when absent. */
  readonly category?: string
  handler(args: RpcArgs): Promise<unknown> | unknown
}

type ValueOf<T extends ParamType> = T extends 'string' ? string
  : T extends 'number' ? number
    : T extends 'boolean' ? boolean
      : T extends 'array' ? unknown[]
        : Record<string, unknown>

/** The typed arguments object of a parameter list (what the handler of rpcMethod receives). */
export type ArgsOf<P extends readonly ParamSpec[]> = {
  readonly [S in P[number] as S['name']]: S['optional'] extends true ? ValueOf<S['type']> | undefined : ValueOf<S['type']>
}

/** Defines a method whose handler sees its arguments typed from `params` (validated before the call). */
export function rpcMethod<const P extends readonly ParamSpec[]> (spec: {
  params: P
  help: string
  category?: string
  handler: (args: ArgsOf<P>) => Promise<unknown> | unknown
}): RpcMethod {
  return spec as unknown as RpcMethod
}

const ARTICLE: Record<ParamType, string> = { string: 'a string', number: 'a number', boolean: 'true or false', object: 'a JSON object', array: 'a JSON array' }

function hasType (value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'number': return typeof value === 'number' && Number.isFinite(value)
    case 'array': return Array.isArray(value)
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value)
    default: return typeof value === type
  }
}

function shown (value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

function invalid (message: string): RpcError {
  return new RpcError(RPC_ERROR.INVALID_PARAMS, message)
}

/**
 * Checks positional or named params against the method's list and returns them by name; every
 * mismatch is -32602 naming the method, the parameter and what was expected. Null stands for an
 * absent optional parameter, as in Core.
 */
export function validateParams (name: string, method: RpcMethod, params: RpcParams | undefined): RpcArgs {
  const specs = method.params
  let given: Map<string, unknown>
  if (Array.isArray(params)) {
    if (params.length > specs.length) {
      throw invalid(`${name}: too many parameters (takes at most ${specs.length}${specs.length > 0 ? `: ${specs.map((s) => s.name).join(', ')}` : ''}; got ${params.length})`)
    }
    given = new Map(params.map((value, i) => [specs[i]?.name ?? '', value]))
  } else {
    given = new Map(Object.entries(params ?? {}))
    for (const key of given.keys()) {
      if (!specs.some((s) => s.name === key)) {
        throw invalid(`${name}: unknown parameter "${key}" (${specs.length > 0 ? `takes ${specs.map((s) => s.name).join(', ')}` : 'takes none'})`)
      }
    }
  }
  const args: Record<string, unknown> = {}
  specs.forEach((spec, i) => {
    const value = given.get(spec.name)
    const label = `parameter "${spec.name}" (position ${i + 1})`
    if (value === undefined || value === null) {
      if (spec.optional !== true) throw invalid(`${name}: missing required ${label}, expected ${ARTICLE[spec.type]}`)
      args[spec.name] = undefined
      return
    }
    if (!hasType(value, spec.type)) throw invalid(`${name}: ${label} must be ${ARTICLE[spec.type]}, got ${shown(value)}`)
    args[spec.name] = value
  })
  return args
}

/** `name required ( optional … )`, the one-line usage Core's help lists. */
export function usageLine (name: string, method: RpcMethod): string {
  const required = method.params.filter((p) => p.optional !== true).map((p) => p.name)
  const optional = method.params.filter((p) => p.optional === true).map((p) => p.name)
  return [name, ...required, ...(optional.length > 0 ? [`( ${optional.join(' ')} )`] : [])].join(' ')
}

/** `help METHOD`: usage, description and one line per argument. */
export function methodHelp (name: string, method: RpcMethod): string {
  const lines = [usageLine(name, method), '', method.help.trim()]
  if (method.params.length > 0) {
    lines.push('', 'Arguments:')
    method.params.forEach((p, i) => {
      lines.push(`${i + 1}. ${p.name} (${p.type}, ${p.optional === true ? 'optional' : 'required'})${p.description === undefined ? '' : ` ${p.description}`}`)
    })
  }
  return lines.join('\n')
}

/** `help`: every method's usage line, grouped by category, sorted by name within a group. */
export function methodList (methods: ReadonlyMap<string, RpcMethod>): string {
  const groups = new Map<string, string[]>()
  for (const [name, method] of [...methods].sort(([a], [b]) => a.localeCompare(b))) {
    const category = method.category ?? 'Control'
    groups.set(category, [...(groups.get(category) ?? []), usageLine(name, method)])
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([category, lines]) => `== ${category} ==\n${lines.join('\n')}`).join('\n\n')
}
