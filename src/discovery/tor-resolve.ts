import type { Socket } from 'node:net'
import { addrKey, bytesToIp, type HostPort } from '../netaddr/netaddress.ts'
import { connectTcp, raceAbort } from '../transport/connect-tcp.ts'
import { SocketReader } from '../transport/socket-reader.ts'
import type { ProxyCredentials } from '../transport/socks-dialer.ts'
import { anySignal, clockTimeoutSignal, systemClock, type Clock } from '../util/clock.ts'
import {
  TOR_STATUS_MESSAGES, TorAuthFailedError, TorInvalidAddressResponseError, TorInvalidProxyResponseError,
  TorProxyUnreachableError, TorRequestError, TorStatusError, TorTimeoutError, TorUnrecognizedAuthMethodError
} from './errors.ts'
import { EndOfStreamError } from '../transport/errors.ts'

/**
 * How long one RESOLVE may take. Tor gives up on its own after SocksTimeout (120 s by default);
 * seeding should move on well before that.
 */
export const TOR_RESOLVE_TIMEOUT_MS = 30_000

const SOCKS_VERSION = 0x05
const METHOD_NO_AUTH = 0x00
const METHOD_USER_PASS = 0x02
/** RFC 1929's sub-negotiation version byte. */
const USER_PASS_VERSION = 0x01
/** Tor's extension command: resolve a name, answer with the address instead of connecting. */
const CMD_RESOLVE = 0xf0
const ATYP_IPV4 = 0x01
const ATYP_DOMAIN = 0x03
const ATYP_IPV6 = 0x04
/** SOCKS5 carries names and credentials behind a one-byte length. */
const MAX_FIELD_BYTES = 255

export interface TorLookupOptions {
  /** Username/password greeting instead of no-auth; Tor isolates streams by them. */
  credentials?: ProxyCredentials
  /** @default TOR_RESOLVE_TIMEOUT_MS */
  timeoutMs?: number
  signal?: AbortSignal
  /** Drives the timeout. @default systemClock */
  clock?: Clock
}

function field (value: string, what: string): Buffer {
  const bytes = Buffer.from(value, 'utf8')
  if (bytes.length > MAX_FIELD_BYTES) throw new TorRequestError(`${what} is ${bytes.length} bytes; SOCKS5 allows at most ${MAX_FIELD_BYTES}`)
  return bytes
}

/** `05 F0 00 03 <len> <host> 00 00`: RESOLVE of a domain name, port 0. */
function resolveRequest (host: string): Buffer {
  if (host.length === 0) throw new TorRequestError('cannot resolve an empty host name')
  const name = field(host, `host name "${host.slice(0, 40)}…"`)
  return Buffer.concat([Buffer.from([SOCKS_VERSION, CMD_RESOLVE, 0x00, ATYP_DOMAIN, name.length]), name, Buffer.from([0x00, 0x00])])
}

/** Reads `length` bytes; a stream that ends early becomes the given protocol error. */
async function readOr (reader: SocketReader, length: number, fail: (detail: string) => Error): Promise<Buffer> {
  try {
    return await reader.read(length)
  } catch (err) {
    if (err instanceof EndOfStreamError) throw fail(err.message)
    throw err
  }
}

async function authenticate (socket: Socket, reader: SocketReader, credentials: ProxyCredentials | undefined): Promise<void> {
  const method = credentials === undefined ? METHOD_NO_AUTH : METHOD_USER_PASS
  socket.write(Buffer.from([SOCKS_VERSION, 0x01, method]))
  const reply = await readOr(reader, 2, (d) => new TorInvalidProxyResponseError(`greeting reply: ${d}`))
  if (reply[0] !== SOCKS_VERSION) throw new TorInvalidProxyResponseError(`greeting reply has version ${reply[0]} (expected 5)`)
  if (reply[1] !== method) throw new TorUnrecognizedAuthMethodError(reply[1] ?? 0xff)
  if (credentials === undefined) return
  const user = Buffer.from(credentials.username, 'utf8')
  const pass = Buffer.from(credentials.password, 'utf8')
  socket.write(Buffer.concat([Buffer.from([USER_PASS_VERSION, user.length]), user, Buffer.from([pass.length]), pass]))
  const status = await readOr(reader, 2, (d) => new TorInvalidProxyResponseError(`authentication reply: ${d}`))
  if (status[0] !== USER_PASS_VERSION) throw new TorInvalidProxyResponseError(`authentication reply has version ${status[0]} (expected 1)`)
  if (status[1] !== 0) throw new TorAuthFailedError(status[1] ?? 0xff)
}

async function resolveOverSocks (socket: Socket, reader: SocketReader, host: string, request: Buffer, credentials: ProxyCredentials | undefined): Promise<string[]> {
  await authenticate(socket, reader, credentials)
  socket.write(request)
  const head = await readOr(reader, 4, (d) => new TorInvalidProxyResponseError(`RESOLVE reply: ${d}`))
  const [version = 0, status = 0, , atyp = 0] = head
  if (version !== SOCKS_VERSION) throw new TorInvalidProxyResponseError(`RESOLVE reply has version ${version} (expected 5)`)
  if (status !== 0) {
    if (status >= TOR_STATUS_MESSAGES.length) throw new TorInvalidProxyResponseError(`unknown status 0x${status.toString(16)}`, status)
    throw new TorStatusError(status, host)
  }
  // Tor answers IPv6 for automapped names unless the SocksPort has NoPreferIPv6Automap: both are fine.
  const length = atyp === ATYP_IPV4 ? 4 : atyp === ATYP_IPV6 ? 16 : undefined
  if (length === undefined) throw new TorInvalidAddressResponseError(`address type ${atyp} (expected 1 for IPv4 or 4 for IPv6)`)
  // The address and the 2-byte port trailer (always 0 for RESOLVE) must both arrive.
  const answer = await readOr(reader, length + 2, (d) => new TorInvalidAddressResponseError(d))
  return [bytesToIp(answer.subarray(0, length))]
}

/**
 * Resolves `host` through Tor's SOCKS5 RESOLVE extension (0xF0), so the name never reaches clear DNS.
 * Tor returns one address. Errors are named classes: TorStatusError carries Tor's status code (btcd's
 * table), TorInvalid*Error a broken reply, TorRequestError a host over 255 bytes (nothing is sent).
 */
export async function torLookupIP (host: string, proxy: HostPort, options: TorLookupOptions = {}): Promise<string[]> {
  const request = resolveRequest(host)
  if (options.credentials !== undefined) {
    field(options.credentials.username, 'proxy username')
    field(options.credentials.password, 'proxy password')
  }
  const proxyName = addrKey(proxy)
  const timeoutMs = options.timeoutMs ?? TOR_RESOLVE_TIMEOUT_MS
  const timeout = clockTimeoutSignal(options.clock ?? systemClock, timeoutMs, () => new TorTimeoutError(host, proxyName, timeoutMs))
  const signal = anySignal([options.signal, timeout.signal])
  let socket: Socket | undefined
  try {
    try {
      socket = await connectTcp(proxy.host, proxy.port, signal.signal)
    } catch (err) {
      if (signal.signal.aborted) throw err
      throw new TorProxyUnreachableError(proxyName, err as Error)
    }
    const open = socket
    const reader = new SocketReader(open)
    return await raceAbort(resolveOverSocks(open, reader, host, request, options.credentials), signal.signal, () => { open.destroy() })
  } finally {
    socket?.destroy()
    timeout.clear()
    signal.clear()
  }
}
