import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Prometheus's `promtool` on PATH (Debian package `prometheus`), or undefined. */
export function findPromtool (): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin']
  return dirs.map((d) => join(d, 'promtool')).find((p) => existsSync(p))
}

/** `promtool check metrics` on a scrape: its exit code and what it printed (the lint problems). */
export async function promtoolCheckMetrics (promtool: string, text: string): Promise<{ code: number, output: string }> {
  return await new Promise((resolve, reject) => {
    const child = execFile(promtool, ['check', 'metrics'], (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
      if (code === -1) reject(err)
      else resolve({ code, output: `${stdout}${stderr}` })
    })
    child.stdin?.end(text)
  })
}
