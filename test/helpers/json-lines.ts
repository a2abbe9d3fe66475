import type { Readable } from 'node:stream'

/**
 * Follows a stream of JSON lines (a node's `--logformat json` stderr): `onRecord` gets each parsed line,
 * `onOther` each line that is not JSON, and `onChunk` runs after every chunk's lines were handed over.
 */
export function followJsonLines (stream: Readable | null, handlers: {
  onRecord: (record: Record<string, unknown>) => void
  onOther: (line: string) => void
  onChunk?: () => void
}): void {
  let buffer = ''
  stream?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) {
      if (line.trim() === '') continue
      let record: Record<string, unknown>
      try {
        record = JSON.parse(line) as Record<string, unknown>
      } catch {
        handlers.onOther(line)
        continue
      }
      handlers.onRecord(record)
    }
    handlers.onChunk?.()
  })
}
