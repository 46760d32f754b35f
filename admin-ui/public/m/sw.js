// The service worker of the collector's mobile web (scope /m/). It keeps the app shell — the
// page, its hashed scripts and styles, the manifest and icons — so that the app opens on patrol
// without signal, and wakes the page to send its queue of reports when the network returns
// (Background Sync where the browser has it). The API is never cached here: reports made
// offline wait in IndexedDB (see src/mobile/queue.ts), not in HTTP caches.
const SHELL = 'urbangrid-m-shell-v1'
const ASSETS = 'urbangrid-m-assets-v1'
const PAGE = '/m/'

/** The page (fetched, or the answer at hand) and every /assets/ file it names. */
async function cacheShell(answer) {
  const cache = await caches.open(SHELL)
  const res = answer ?? (await fetch(PAGE, { cache: 'no-store' }))
  if (!res.ok) return
  const html = await res.clone().text()
  await cache.put(PAGE, res)
  const named = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])
  const assets = await caches.open(ASSETS)
  await Promise.all(
    [...new Set(named)].map((u) => assets.match(u).then((hit) => hit || assets.add(u).catch(() => undefined))),
  )
  await cache.addAll(['/m/manifest.webmanifest', '/m/icons/icon-192.png', '/m/icons/icon.svg']).catch(() => undefined)
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL && k !== ASSETS).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return
  if (req.mode === 'navigate' && url.pathname.startsWith('/m/')) {
    // Network first (a new release arrives at once), the kept page when offline.
    event.respondWith(
      fetch(req)
        .then((res) => {
          // Every entry's page is the same index.html: keep this one, and what it names.
          if (res.ok) event.waitUntil(cacheShell(res.clone()).catch(() => undefined))
          return res
        })
        .catch(() => caches.open(SHELL).then((c) => c.match(PAGE)).then((hit) => hit || Response.error())),
    )
    return
  }
  if (url.pathname.startsWith('/assets/')) {
    // Hashed names never change content: the cache first, filled on the way.
    event.respondWith(
      caches.open(ASSETS).then((c) =>
        c.match(req).then(
          (hit) =>
            hit ||
            fetch(req).then((res) => {
              if (res.ok) c.put(req, res.clone())
              return res
            }),
        ),
      ),
    )
    return
  }
  if (url.pathname.startsWith('/m/')) {
    event.respondWith(
      caches.open(SHELL).then((c) =>
        fetch(req)
          .then((res) => {
            if (res.ok) c.put(req, res.clone())
            return res
          })
          .catch(() => c.match(req).then((hit) => hit || Response.error())),
      ),
    )
  }
})

// Background Sync: the page registered `urbangrid-queue` when a report could not be sent. The
// tokens live with the page, so the worker asks an open page to send; with none open, the page
// sends the queue when it next starts.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'urbangrid-queue') return
  event.waitUntil(
    self.clients.matchAll({ type: 'window' }).then((clients) => {
      for (const c of clients) c.postMessage({ type: 'sync' })
    }),
  )
})
