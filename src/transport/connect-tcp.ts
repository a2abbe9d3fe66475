import { connect, type Socket } from 'node:net'

/**
 * Opens a TCP connection and resolves once it is established. Aborting the signal destroys the socket and
 * rejects with the signal's reason (a timeout error, a shutdown), so the caller's reason is what surfaces.
 * The resolved socket has no listeners of ours left on it.
 */
export function connectTcp (host: string, port: number, signal: AbortSignal, localAddress?: string): Promise<Socket> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ...(localAddress === undefined ? {} : { localAddress }) })
    const done = (): void => {
      socket.off('connect', onConnect)
      socket.off('error', onError)
      signal.removeEventListener('abort', onAbort)
    }
    const onConnect = (): void => { done(); resolve(socket) }
    const onError = (err: Error): void => { done(); socket.destroy(); reject(err) }
    const onAbort = (): void => { done(); socket.destroy(); reject(signal.reason as Error) }
    socket.once('connect', onConnect)
    socket.once('error', onError)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Settles like `promise`, or rejects with the signal's reason as soon as it aborts; `onAbort` releases
 * whatever the promise is waiting on (typically: destroy its socket) so nothing outlives the abort.
 */
export function raceAbort<T> (promise: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort()
    promise.catch(() => {})
    return Promise.reject(signal.reason as Error)
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort()
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', abort, { once: true })
    promise.then(
      (value) => { signal.removeEventListener('abort', abort); resolve(value) },
      (err: unknown) => { signal.removeEventListener('abort', abort); reject(err as Error) }
    )
  })
}
