import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** An executable on PATH, or in /usr/sbin or /usr/bin (where Debian puts daemons), or undefined. */
export function findExecutable (name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin']
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p))
}

/** Resolves once the child process has exited (at once if it already has). */
export async function exited (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => child.once('exit', () => { resolve() }))
}
