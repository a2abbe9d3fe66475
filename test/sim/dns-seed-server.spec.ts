import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { Packet, UDPClient } from 'dns2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDnsSeedServer, type DnsSeedServer } from '../../src/sim/dns-seed-server.ts'

function query (id: number, name: string, type: number): Buffer {
  const q = new Packet()
  q.header.id = id
  q.questions.push(new Packet.Question(name, type, Packet.CLASS.IN))
  return q.toBuffer()
}

describe('the loopback DNS seed server', () => {
  let server: DnsSeedServer
  let client: UdpSocket
  const replies: Buffer[] = []
  const ask = async (id: number, name: string, type: number): Promise<void> => {
    await new Promise<void>((resolve, reject) => { client.send(query(id, name, type), server.port, '127.0.0.1', (err) => { if (err !== null) reject(err); else resolve() }) })
  }
  const replyTo = async (id: number): Promise<Buffer> => {
    for (;;) {
      const found = replies.find((r) => r.readUInt16BE(0) === id)
      if (found !== undefined) return found
      await new Promise((resolve) => client.once('message', resolve))
    }
  }

  beforeAll(async () => {
    server = await startDnsSeedServer({
      records: { 'seed.test': { a: ['192.0.2.1', '192.0.2.2'], aaaa: ['2001:db8::5'] } },
      silent: ['dead.test'],
      garbage: ['junk.test']
    })
    client = createSocket('udp4')
    client.on('message', (m: Buffer) => { replies.push(m) })
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    client.close()
    await server.close()
  })

  it('answers A and AAAA records to dns2\'s own client, case-insensitively', async () => {
    const resolve = UDPClient({ dns: '127.0.0.1', port: server.port })
    expect((await resolve('seed.test', 'A')).answers.map((a) => a.address)).toEqual(['192.0.2.1', '192.0.2.2'])
    expect((await resolve('SEED.test', 'AAAA')).answers.map((a) => a.address)).toEqual(['2001:db8::5'])
    expect(server.queries.slice(0, 2)).toEqual([{ name: 'seed.test', type: 'A', transport: 'udp' }, { name: 'seed.test', type: 'AAAA', transport: 'udp' }])
  })

  it('answers NXDOMAIN for unknown names and an empty NOERROR for other record types', async () => {
    await ask(101, 'unknown.test', Packet.TYPE.A)
    expect(Packet.parse(await replyTo(101)).header.rcode).toBe(3)
    await ask(102, 'seed.test', Packet.TYPE.TXT)
    const txt = Packet.parse(await replyTo(102))
    expect([txt.header.rcode, txt.answers.length]).toEqual([0, 0])
  })

  it('answers a garbage name with our id followed by bytes that do not decode', async () => {
    await ask(103, 'junk.test', Packet.TYPE.A)
    const parsed = Packet.parse(await replyTo(103))
    expect(parsed.errors.length).toBeGreaterThan(0)
  })

  it('never answers a silent name (a later query is answered, it is not)', async () => {
    await ask(104, 'dead.test', Packet.TYPE.A)
    await server.waitForQuery('dead.test', 'A')
    await ask(105, 'seed.test', Packet.TYPE.A)
    await replyTo(105)
    expect(replies.some((r) => r.readUInt16BE(0) === 104)).toBe(false)
  })

  it('refuses records that are not addresses of their type', async () => {
    await expect(startDnsSeedServer({ records: { 'bad.test': { a: ['2001:db8::1'] } } })).rejects.toThrow('bad.test: "2001:db8::1" is not an IPv4 address')
    await expect(startDnsSeedServer({ records: { 'bad.test': { aaaa: ['192.0.2.1'] } } })).rejects.toThrow('bad.test: "192.0.2.1" is not an IPv6 address')
  })
  it('with a port given whose TCP side is taken, fails with EADDRINUSE and leaves the UDP port free', async () => {
    const holder = createServer()
    await new Promise<void>((resolve) => { holder.listen(0, '127.0.0.1', resolve) })
    const port = (holder.address() as { port: number }).port
    try {
      await expect(startDnsSeedServer({ records: {}, tcp: true, port })).rejects.toMatchObject({ code: 'EADDRINUSE' })
      const udp = createSocket('udp4')
      await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(port, '127.0.0.1', resolve) })
      await new Promise<void>((resolve) => { udp.close(resolve) })
    } finally {
      await new Promise<void>((resolve) => { holder.close(() => { resolve() }) })
    }
  })
})
