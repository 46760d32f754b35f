// When the queue is sent: at once after a report is made, when the network returns (`online`),
// when the service worker's Background Sync wakes the page, when the app starts, and every
// half minute while something waits. One send at a time.
import { ref } from 'vue'
import { useAuth } from '@/stores/auth'
import { apiSender, idbStore, newKey, owns, sendQueue, type QueuedReport, type ReportBody, type SyncResult } from './queue'

/** The reports still on the phone (pending and refused), newest first. */
export const queued = ref<QueuedReport[]>([])
export const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
export const syncing = ref(false)
/** Bumped whenever reports were acknowledged (lists reload). */
export const acknowledged = ref(0)

/** The logged-in collector's reports on the phone (another user's wait for them). */
async function refresh() {
  const auth = useAuth()
  const who = { tenant: auth.tenant, user: auth.me?.user.id ?? '' }
  queued.value = (await idbStore.all()).filter((r) => owns(who, r)).sort((a, b) => b.createdAt - a.createdAt)
}

let running: Promise<SyncResult | null> | null = null

/** Sends the queue now (joins a send already running). */
export function syncNow(): Promise<SyncResult | null> {
  const auth = useAuth()
  const user = auth.me?.user.id
  if (!auth.loggedIn || !user) return refresh().then(() => null)
  running ??= (async () => {
    syncing.value = true
    try {
      const r = await sendQueue(idbStore, apiSender, { tenant: auth.tenant, user })
      if (r.sent.length) acknowledged.value += 1
      // Not awaited: without a registered worker there is nothing to wait for.
      if (r.left) void askBackgroundSync()
      return r
    } catch {
      return null
    } finally {
      syncing.value = false
      await refresh()
      running = null
    }
  })()
  return running
}

/** Keeps a new report on the phone with its key, then tries to send it. */
export async function enqueue(tenant: string, user: string | undefined, body: ReportBody, photos: Blob[], afterPhotos: Blob[] = []) {
  const item: QueuedReport = { key: newKey(), tenant, user, createdAt: Date.now(), body, photos, afterPhotos, state: 'pending', attempts: 0 }
  await idbStore.put(item)
  await refresh()
  void syncNow()
  return item
}

export async function discard(key: string) {
  await idbStore.remove(key)
  await refresh()
}

/** Sends a refused report again (after the user has seen why). */
export async function retry(item: QueuedReport) {
  await idbStore.put({ ...item, state: 'pending', error: undefined })
  await refresh()
  return syncNow()
}

async function askBackgroundSync() {
  try {
    const reg = (await navigator.serviceWorker?.getRegistration('/m/')) as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined
    await reg?.sync?.register('urbangrid-queue')
  } catch {
    // No Background Sync here: the online event and the timer send the queue.
  }
}

/** Starts the triggers; call once when the app starts. */
export function startSync() {
  void refresh().then(() => syncNow())
  window.addEventListener('online', () => {
    online.value = true
    void syncNow()
  })
  window.addEventListener('offline', () => {
    online.value = false
  })
  navigator.serviceWorker?.addEventListener('message', (e) => {
    if (e.data?.type === 'sync') void syncNow()
  })
  setInterval(() => {
    if (queued.value.some((q) => q.state === 'pending')) void syncNow()
  }, 30_000)
}
