/** Turns a host name into IP address strings: clear DNS, or Tor's RESOLVE when a proxy is configured. */
export interface Resolver {
  resolve(host: string, options: { signal: AbortSignal }): Promise<string[]>
}
