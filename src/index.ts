/**
 * peerkeeper as a library: the engines and their building blocks, for programs that embed them.
 * The CLI (bin/peerkeeper.ts) is one such program.
 */
export * from './chainparams/chainparams.ts'
export * from './netaddr/netaddress.ts'
export * from './netaddr/errors.ts'
export * from './util/clock.ts'
export * from './util/random.ts'
export * from './util/startable.ts'
export * from './log/logger.ts'
export * from './log/levels.ts'
export * from './log/winston.ts'
export * from './wire/services.ts'
export * from './wire/messages.ts'
export * from './wire/errors.ts'
export * from './wire/encode.ts'
export * from './wire/decoder.ts'
export { isAddrV1Compatible } from './wire/addresses.ts'
export * from './netaddr/bip155.ts'
export type { Dialer, DialOptions } from './transport/dialer.ts'
