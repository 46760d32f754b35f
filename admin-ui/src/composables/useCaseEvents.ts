// The county's live case feed (`…/case-events`, server-sent events) for a workbench: new reports
// and every step of the cases the caller may see, as they happen. EventSource cannot send the
// bearer token, so the stream is read with fetch; the last `id` received is sent back as
// `Last-Event-ID` when the connection is made again (after a network error, a server restart, or
// the server ending the stream when the access token expires), so no event is lost or repeated.
import { onBeforeUnmount, ref } from 'vue'
import type { Schemas } from '@/api/client'

export type FeedEvent = Schemas['FeedEvent']

export interface SseMessage {
  id?: string
  event: string
  data: string
}

/** An incremental parser of the event-stream format (WHATWG HTML §9.2): feed it chunks as they
 * arrive, get the complete messages. */
export class SseParser {
  private buffer = ''
  private id: string | undefined
  private event = ''
  private data: string[] = []

  push(chunk: string): SseMessage[] {
    this.buffer += chunk
    const out: SseMessage[] = []
    let nl: number
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl)
      const len = this.buffer.startsWith('\r\n', nl) ? 2 : 1
      this.buffer = this.buffer.slice(nl + len)
      if (line === '') {
        if (this.data.length) out.push({ id: this.id, event: this.event || 'message', data: this.data.join('\n') })
        this.event = ''
        this.data = []
        continue
      }
      if (line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon < 0 ? line : line.slice(0, colon)
      let value = colon < 0 ? '' : line.slice(colon + 1)
      if (value.startsWith(' ')) value = value.slice(1)
      if (field === 'data') this.data.push(value)
      else if (field === 'event') this.event = value
      else if (field === 'id') this.id = value
    }
    return out
  }
}

export interface CaseEventsOptions {
  /** The stream's URL (…/tenants/{code}/case-events). */
  url: () => string
  onEvent: (e: FeedEvent) => void
  /** fetch with the session's token (rawFetch); injectable for tests. */
  fetcher: (url: string, init: RequestInit) => Promise<Response>
  /** Waits before reconnecting: 0.5 s, doubling to at most `maxDelayMs`. */
  baseDelayMs?: number
  maxDelayMs?: number
}

/** Reads the feed until stopped, reconnecting with Last-Event-ID. Plain (no Vue) for tests. */
export function connectCaseEvents(o: CaseEventsOptions) {
  const base = o.baseDelayMs ?? 500
  const max = o.maxDelayMs ?? 10_000
  let stopped = false
  let lastId: string | undefined
  let controller: AbortController | null = null
  let attempt = 0
  const state = { connected: false, reconnects: 0 }
  const listeners: ((connected: boolean) => void)[] = []
  const setConnected = (c: boolean) => {
    state.connected = c
    listeners.forEach((l) => l(c))
  }

  async function once(): Promise<void> {
    controller = new AbortController()
    const headers: Record<string, string> = { Accept: 'text/event-stream' }
    if (lastId) headers['Last-Event-ID'] = lastId
    const res = await o.fetcher(o.url(), { headers, signal: controller.signal })
    if (!res.body) return
    setConnected(true)
    attempt = 0
    const reader = res.body.getReader()
    const decoder = new TextDecoder()
    const parser = new SseParser()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      for (const m of parser.push(decoder.decode(value, { stream: true }))) {
        if (m.id) lastId = m.id
        if (m.event === 'end') return
        if (m.event !== 'case') continue
        try {
          o.onEvent(JSON.parse(m.data) as FeedEvent)
        } catch {
          // A message that is not JSON is skipped; the next one carries on.
        }
      }
    }
  }

  const done = (async () => {
    while (!stopped) {
      try {
        await once()
      } catch {
        // network error or refusal: wait and try again
      }
      setConnected(false)
      if (stopped) break
      state.reconnects += 1
      const delay = Math.min(max, base * 2 ** attempt)
      attempt += 1
      await new Promise((r) => setTimeout(r, delay))
    }
  })()

  return {
    state,
    lastId: () => lastId,
    onConnection: (l: (connected: boolean) => void) => listeners.push(l),
    stop() {
      stopped = true
      controller?.abort()
      return done
    },
  }
}

/** The feed for a component's lifetime, with a `connected` flag for the page's indicator. */
export function useCaseEvents(o: CaseEventsOptions) {
  const connected = ref(false)
  const conn = connectCaseEvents(o)
  conn.onConnection((c) => { connected.value = c })
  onBeforeUnmount(() => { conn.stop() })
  return { connected, lastId: conn.lastId, stop: conn.stop }
}
