import { afterEach, describe, expect, it } from 'vitest'
import { SocketReader } from '../../src/transport/socket-reader.ts'
import { tcpPair } from '../helpers/tcp-pair.ts'
import { untilIo } from '../helpers/wait-for-io.ts'
import { EndOfStreamError } from '../../src/transport/errors.ts'

describe('SocketReader over a real TCP connection', () => {
  let close = (): void => {}
  afterEach(() => { close() })

  it('assembles a read from bytes that arrive one segment at a time', async () => {
    const pair = await tcpPair()
    close = pair.close
    const reader = new SocketReader(pair.client)
    const read = reader.read(5)
    for (const byte of [1, 2, 3, 4, 5]) {
      pair.server.write(Buffer.from([byte]))
      await untilIo(() => pair.client.bytesRead >= byte, `byte ${byte}`)
    }
    expect([...await read]).toEqual([1, 2, 3, 4, 5])
  })

  it('splits one segment across reads and hands back the rest on release', async () => {
    const pair = await tcpPair()
    close = pair.close
    const reader = new SocketReader(pair.client)
    pair.server.write(Buffer.from([9, 8, 7, 6, 5, 4]))
    expect([...await reader.read(2)]).toEqual([9, 8])
    expect([...await reader.read(1)]).toEqual([7])
    expect([...reader.release()]).toEqual([6, 5, 4])
  })

  it('rejects with how many bytes came when the stream ends early', async () => {
    const pair = await tcpPair()
    close = pair.close
    const reader = new SocketReader(pair.client)
    pair.server.end(Buffer.from([1, 2]))
    const err = await reader.read(4).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EndOfStreamError)
    expect(err).toMatchObject({ received: 2, wanted: 4, message: 'connection closed after 2 of 4 expected bytes' })
  })
})
