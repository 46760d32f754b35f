// The collector's mobile web: the photo size logic, the class picker's order, and the offline
// queue — a report keeps its one Idempotency-Key through every retry, photos go first, and it
// leaves the queue only when the server acknowledged it.
import { describe, expect, it } from 'vitest'
import { MAX_BYTES, QUALITIES, encodeFitting, keepAsIs, targetSize } from '@/mobile/photo'
import { ordered, type CatalogClass } from '@/mobile/catalog'
import { newKey, sendQueue, transient, type QueueStore, type QueuedReport, type Sender } from '@/mobile/queue'
import { geoUri } from '@/mobile/geo'
import { ApiError } from '@/api/client'

describe('photo size', () => {
  it('scales the long side to 1600 px, keeps the aspect, never enlarges', () => {
    expect(targetSize(4032, 3024)).toEqual({ width: 1600, height: 1200 })
    expect(targetSize(3024, 4032)).toEqual({ width: 1200, height: 1600 })
    expect(targetSize(4000, 1000)).toEqual({ width: 1600, height: 400 })
    expect(targetSize(1600, 900)).toEqual({ width: 1600, height: 900 })
    expect(targetSize(800, 600)).toEqual({ width: 800, height: 600 })
    expect(targetSize(10000, 3)).toEqual({ width: 1600, height: 1 })
    expect(targetSize(0, 100)).toEqual({ width: 0, height: 0 })
  })

  it('sends a small JPEG as it is, and shrinks anything else', () => {
    expect(keepAsIs('image/jpeg', 200_000, 1200, 900)).toBe(true)
    expect(keepAsIs('image/jpeg', 4_000_000, 1200, 900)).toBe(false)
    expect(keepAsIs('image/jpeg', 200_000, 4000, 3000)).toBe(false)
    expect(keepAsIs('image/png', 200_000, 800, 600)).toBe(false)
  })

  it('lowers the JPEG quality until the photo fits, from 0.8', async () => {
    const tried: number[] = []
    const sizes: Record<number, number> = { 0.8: 900_000, 0.7: 600_000, 0.6: 400_000, 0.5: 300_000 }
    const blob = await encodeFitting(async (q) => {
      tried.push(q)
      return new Blob([new Uint8Array(sizes[q])])
    })
    expect(tried).toEqual([0.8, 0.7, 0.6])
    expect(blob.size).toBeLessThanOrEqual(MAX_BYTES)
    const first = await encodeFitting(async () => new Blob([new Uint8Array(100)]))
    expect(first.size).toBe(100)
    const last: number[] = []
    await encodeFitting(async (q) => (last.push(q), new Blob([new Uint8Array(MAX_BYTES + 1)])))
    expect(last).toEqual(QUALITIES)
  })
})

describe('class picker', () => {
  const c = (kind: 'matter' | 'component', code: string, name: string): CatalogClass =>
    ({ kind, code, name, major_code: code.slice(0, 2), major_name: '', standard: 'GB/T 47678.5-2026' }) as CatalogClass
  const all = [c('matter', '06010', '暴露垃圾'), c('matter', '06011', '积存垃圾渣土'), c('matter', '09006', '占道经营'), c('component', '03005', '垃圾箱')]

  it('puts the recent classes first, in their order of use', () => {
    expect(ordered(all, ['matter:09006', 'component:03005'], '').map((x) => x.code)).toEqual(['09006', '03005', '06010', '06011'])
  })

  it('searches by name and by code', () => {
    expect(ordered(all, [], '垃圾').map((x) => x.code)).toEqual(['06010', '06011', '03005'])
    expect(ordered(all, ['matter:06011'], '垃圾').map((x) => x.code)).toEqual(['06011', '06010', '03005'])
    expect(ordered(all, [], '0900').map((x) => x.code)).toEqual(['09006'])
  })
})

describe('offline queue', () => {
  const WHO = { tenant: '320115', user: 'u1' }
  function memory(): QueueStore & { items: Map<string, QueuedReport> } {
    const items = new Map<string, QueuedReport>()
    return {
      items,
      all: async () => [...items.values()].map((x) => ({ ...x })),
      put: async (r) => void items.set(r.key, { ...r }),
      remove: async (k) => void items.delete(k),
    }
  }
  const item = (key: string, at: number, photos = 1): QueuedReport => ({
    key,
    tenant: '320115',
    createdAt: at,
    body: { kind: 'matter', class_code: '06010', description: key, lon: 118.8, lat: 31.9, crs: 'wgs84' },
    photos: Array.from({ length: photos }, () => new Blob(['x'])),
    afterPhotos: [],
    state: 'pending',
    attempts: 0,
  })

  /** A server that stores each key once and replays it, and can lose answers or the network. */
  function server() {
    const cases = new Map<string, { id: string; number: string; photos: string[] }>()
    let uploads = 0
    const s = {
      cases,
      get uploads() {
        return uploads
      },
      down: false,
      loseNextAnswer: false,
      refuse: '' as string,
      sender: {
        upload: async () => {
          if (s.down) throw new ApiError(0, { detail: 'Failed to fetch' })
          uploads += 1
          return `photo-${uploads}`
        },
        report: async (_t, key, body) => {
          if (s.down) throw new ApiError(0, { detail: 'Failed to fetch' })
          if (body.description === s.refuse) throw new ApiError(422, { code: 'validation_failed', detail: 'class_code: not a class' })
          if (!cases.has(key)) cases.set(key, { id: `case-${cases.size + 1}`, number: `N${cases.size + 1}`, photos: body.photos ?? [] })
          if (s.loseNextAnswer) {
            s.loseNextAnswer = false
            throw new ApiError(0, { detail: 'connection reset' })
          }
          const c = cases.get(key)!
          return { key, id: c.id, number: c.number }
        },
      } as Sender,
    }
    return s
  }

  it('sends only the logged-in collector\'s reports', async () => {
    const store = memory()
    const srv = server()
    await store.put({ ...item('mine', 1), user: 'u1' })
    await store.put({ ...item('theirs', 2), user: 'u2' })
    await store.put({ ...item('elsewhere', 3), user: 'u1', tenant: '320102' })
    const r = await sendQueue(store, srv.sender, WHO)
    expect(r.sent.map((s) => s.key)).toEqual(['mine'])
    expect(r.left).toBe(0)
    expect([...store.items.keys()].sort()).toEqual(['elsewhere', 'theirs'])
  })

  it('makes a new key for every report', () => {
    const keys = new Set(Array.from({ length: 50 }, newKey))
    expect(keys.size).toBe(50)
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('keeps everything while offline and sends it, oldest first, when the network returns', async () => {
    const store = memory()
    const srv = server()
    await store.put(item('b', 2))
    await store.put(item('a', 1))
    srv.down = true
    expect(await sendQueue(store, srv.sender, WHO)).toEqual({ sent: [], failed: 0, left: 2 })
    expect(srv.cases.size).toBe(0)
    srv.down = false
    const r = await sendQueue(store, srv.sender, WHO)
    expect(r.sent.map((s) => s.key)).toEqual(['a', 'b'])
    expect(r.left).toBe(0)
    expect(store.items.size).toBe(0)
    expect(srv.cases.get('a')!.photos).toEqual(['photo-1'])
  })

  it('a resend after a lost answer uses the same key: one case, photos not uploaded twice', async () => {
    const store = memory()
    const srv = server()
    await store.put(item('k', 1, 2))
    srv.loseNextAnswer = true
    const first = await sendQueue(store, srv.sender, WHO)
    expect(first.left).toBe(1)
    expect(store.items.get('k')!.photoIds).toEqual(['photo-1', 'photo-2'])
    const again = await sendQueue(store, srv.sender, WHO)
    expect(again.sent).toEqual([{ key: 'k', id: 'case-1', number: 'N1' }])
    expect(srv.cases.size).toBe(1)
    expect(srv.uploads).toBe(2)
  })

  it('keeps a refused report with the reason and goes on with the others', async () => {
    const store = memory()
    const srv = server()
    srv.refuse = 'bad'
    await store.put(item('bad', 1))
    await store.put(item('good', 2))
    const r = await sendQueue(store, srv.sender, WHO)
    expect(r).toMatchObject({ failed: 1, left: 0 })
    expect(r.sent.map((s) => s.key)).toEqual(['good'])
    expect(store.items.get('bad')).toMatchObject({ state: 'failed', error: 'class_code: not a class' })
    expect((await sendQueue(store, srv.sender, WHO)).sent).toEqual([])
  })

  it('tells a passing failure from a refusal', () => {
    expect(transient(new ApiError(0, undefined))).toBe(true)
    expect(transient(new ApiError(503, undefined))).toBe(true)
    expect(transient(new ApiError(401, undefined))).toBe(true)
    expect(transient(new ApiError(429, undefined))).toBe(true)
    expect(transient(new ApiError(422, undefined))).toBe(false)
    expect(transient(new ApiError(403, undefined))).toBe(false)
    expect(transient(new TypeError('Failed to fetch'))).toBe(true)
  })
})

describe('navigation', () => {
  it('opens the phone map app at the point (geo: URI, lat first)', () => {
    expect(geoUri(118.8123456, 31.9543219)).toBe('geo:31.954322,118.812346?q=31.954322,118.812346')
    expect(geoUri(118.8, 31.9, '垃圾')).toBe(`geo:31.900000,118.800000?q=31.900000,118.800000(${encodeURIComponent('垃圾')})`)
  })
})
