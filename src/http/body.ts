import type { IncomingMessage } from 'node:http'
import { BodyAbortedError, BodyTooLargeError } from './errors.ts'

/**
 * The whole body of a request, refused with BodyTooLargeError as soon as its declared or received
 * length passes `maxBytes`, so an oversized upload is never buffered.
 */
export async function readBody (req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxBytes) throw new BodyTooLargeError(maxBytes)
  return await new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    const done = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer): void => {
      total += chunk.length
      if (total > maxBytes) {
        done()
        reject(new BodyTooLargeError(maxBytes))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => { done(); resolve(Buffer.concat(chunks, total)) }
    const onError = (err: Error): void => { done(); reject(err) }
    const onClose = (): void => { done(); reject(new BodyAbortedError('the client closed the connection before the request body ended')) }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}
