// The offline queue of reports. Bad signal is normal on patrol, so every report is first kept
// on the phone (IndexedDB: its body, its photos as Blobs, and the Idempotency-Key made once,
// when the collector pressed 上报), then sent: photos first, then the report under that same
// key. A retry after a lost answer therefore never creates a second case — the server replays
// its first answer for the key. An item leaves the queue only when the server acknowledged it.
//
// `sendQueue` is plain logic over a store and a sender (both injected), so it is unit-tested
// without a browser; `idbStore` and `apiSender` are the real ones.
import { openDB, type IDBPDatabase } from 'idb'
import { ApiError, api, call, rawFetch, type Schemas } from '@/api/client'

export type NewCase = Schemas['NewCase']
export type ReportBody = Omit<NewCase, 'photos' | 'after_photos'>

export interface QueuedReport {
  /** The Idempotency-Key, made once when the report was made. */
  key: string
  tenant: string
  /** The collector who made it: only they send it (a phone may be shared between shifts). */
  user?: string
  createdAt: number
  body: ReportBody
  photos: Blob[]
  afterPhotos: Blob[]
  /** Ids of photos already uploaded (a retry does not upload them again). */
  photoIds?: string[]
  afterIds?: string[]
  /** `pending`: to send; `failed`: the server refused it (see `error`), kept for the user. */
  state: 'pending' | 'failed'
  error?: string
  attempts: number
}

export interface QueueStore {
  all(): Promise<QueuedReport[]>
  put(r: QueuedReport): Promise<void>
  remove(key: string): Promise<void>
}

export interface Acknowledged {
  key: string
  id: string
  number: string
}

export interface Sender {
  upload(tenant: string, photo: Blob): Promise<string>
  report(tenant: string, key: string, body: NewCase): Promise<Acknowledged>
}

/** A new key for one intended report (crypto.randomUUID where the page is a secure context). */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** Whether a failure means "try again later" (no network, server busy, session to renew)
 * rather than "the server refused this report". */
export function transient(e: unknown): boolean {
  if (!(e instanceof ApiError)) return true
  return e.status === 0 || e.status === 401 || e.status === 408 || e.status === 429 || e.status >= 500
}

export interface SyncResult {
  sent: Acknowledged[]
  failed: number
  left: number
}

/** Whose reports a send may take: the logged-in user in its tenant. */
export interface Sending {
  tenant: string
  user: string
}

/** Whether `r` is `who`'s to send (a report kept before users were recorded is anyone's). */
export function owns(who: Sending, r: QueuedReport): boolean {
  return r.tenant === who.tenant && (r.user === undefined || r.user === who.user)
}

/** Sends every pending report of `who`, oldest first; stops at the first transient failure (the
 * network is gone: the rest would fail too). */
export async function sendQueue(store: QueueStore, sender: Sender, who: Sending): Promise<SyncResult> {
  const items = (await store.all())
    .filter((r) => r.state === 'pending' && owns(who, r))
    .sort((a, b) => a.createdAt - b.createdAt)
  const sent: Acknowledged[] = []
  let failed = 0
  for (const item of items) {
    try {
      item.attempts += 1
      if (!item.photoIds) {
        const ids: string[] = []
        for (const p of item.photos) ids.push(await sender.upload(item.tenant, p))
        item.photoIds = ids
        await store.put(item)
      }
      if (!item.afterIds) {
        const ids: string[] = []
        for (const p of item.afterPhotos) ids.push(await sender.upload(item.tenant, p))
        item.afterIds = ids
        await store.put(item)
      }
      const body: NewCase = { ...item.body, photos: item.photoIds }
      if (item.afterIds.length) body.after_photos = item.afterIds
      const ack = await sender.report(item.tenant, item.key, body)
      await store.remove(item.key)
      sent.push(ack)
    } catch (e) {
      if (transient(e)) {
        await store.put(item)
        break
      }
      failed += 1
      await store.put({ ...item, state: 'failed', error: e instanceof ApiError ? e.detail : String(e) })
    }
  }
  const left = (await store.all()).filter((r) => r.state === 'pending' && owns(who, r)).length
  return { sent, failed, left }
}

let db: Promise<IDBPDatabase> | null = null
function database(): Promise<IDBPDatabase> {
  db ??= openDB('urbangrid-mobile', 1, {
    upgrade(d) {
      d.createObjectStore('reports', { keyPath: 'key' })
    },
  })
  return db
}

/** The queue in IndexedDB (photos stored as Blobs). */
export const idbStore: QueueStore = {
  async all() {
    return (await database()).getAll('reports')
  },
  async put(r) {
    await (await database()).put('reports', r)
  },
  async remove(key) {
    await (await database()).delete('reports', key)
  },
}

/** The server, through the console's one client. */
export const apiSender: Sender = {
  async upload(tenant, photo) {
    const res = await rawFetch(`/api/v1/tenants/${tenant}/photos`, {
      method: 'POST',
      body: photo,
      headers: { 'Content-Type': 'application/octet-stream' },
    })
    const stored = (await res.json()) as Schemas['Photo']
    return stored.id
  },
  async report(tenant, key, body) {
    const c = await call(
      api.POST('/api/v1/tenants/{tenant_code}/cases', {
        params: { path: { tenant_code: tenant }, header: { 'Idempotency-Key': key } },
        body,
      }),
    )
    return { key, id: c.id, number: c.number }
  },
}
