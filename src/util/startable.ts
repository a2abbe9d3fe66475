/** The one lifecycle interface every long-running component implements. */
export interface Startable {
  start(): void | Promise<void>
  /** Stops the component and resolves once it holds no timers, sockets or handles. */
  stop(): void | Promise<void>
}

/** Starts components in order; if one fails, the ones already started are stopped in reverse. */
export async function startAll (components: Startable[]): Promise<void> {
  const started: Startable[] = []
  try {
    for (const c of components) {
      await c.start()
      started.push(c)
    }
  } catch (err) {
    await stopAll(started)
    throw err
  }
}

/** Stops components in reverse order, continuing past failures, and rethrows the first one. */
export async function stopAll (components: Startable[]): Promise<void> {
  let first: unknown
  for (const c of [...components].reverse()) {
    try {
      await c.stop()
    } catch (err) {
      first ??= err
    }
  }
  if (first !== undefined) throw first
}
