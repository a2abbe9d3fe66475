import type { ServerResponse } from 'node:http'

/** Sends a complete reply; a HEAD request gets the headers only. */
export function sendBody (res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

export function sendText (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  sendBody(res, status, 'text/plain; charset=utf-8', text, headers)
}

export function sendJson (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendBody(res, status, 'application/json', `${JSON.stringify(value)}\n`, headers)
}
