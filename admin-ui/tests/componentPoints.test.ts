// The map's component loader: the frame's box, strips fetched side by side with `bbox`, every
// page followed, a component on the line between two strips kept once.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { extentOf, useComponentPoints } from '@/composables/useComponentPoints'

afterEach(() => vi.unstubAllGlobals())

const square = (x: number, y: number) => ({
  type: 'Feature' as const, properties: {},
  geometry: { type: 'Polygon', coordinates: [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]] },
})
const component = (id: string, lon: number) => ({ component_id: id, name: 'n', class_code: '01001', status: '完好', location: { type: 'Point', coordinates: [lon, 0.5] } })

describe('extentOf', () => {
  it('boxes every polygon and is null without features', () => {
    expect(extentOf({ type: 'FeatureCollection', features: [square(0, 0), square(3, -2)] })).toEqual([0, -2, 4, 1])
    expect(extentOf({ type: 'FeatureCollection', features: [] })).toBeNull()
    expect(extentOf(null)).toBeNull()
  })
})

describe('useComponentPoints', () => {
  it('loads four strips, follows the cursors and keeps a shared component once', async () => {
    const seen: URL[] = []
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url)
      seen.push(url)
      const [x0] = url.searchParams.get('bbox')!.split(',').map(Number)
      const strip = Math.round(x0)
      const items = url.searchParams.get('cursor')
        ? [component(`c${strip}-2`, x0 + 0.5)]
        : [component(`c${strip}-1`, x0 + 0.5), component('edge', 1)]
      const body = { items, next_cursor: url.searchParams.get('cursor') ? null : 'p2' }
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
    }))
    const p = useComponentPoints(() => '320115')
    await p.load({ status: '完好' }, [0, 0, 4, 1])
    expect(seen).toHaveLength(8)
    expect(seen.every((u) => u.pathname === '/api/v1/tenants/320115/components' && u.searchParams.get('status') === '完好' && u.searchParams.get('limit') === '500')).toBe(true)
    const ids = p.points.value!.features.map((f) => f.properties!.component_id)
    expect(ids.filter((i) => i === 'edge')).toHaveLength(1)
    expect(ids).toHaveLength(9)
    expect(p.loaded.value).toBe(9)
    expect(p.loading.value).toBe(false)
  })

  it('says what the server refused', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ type: 'x', title: 't', status: 422, code: 'validation_failed', detail: 'bbox: bad' }), { status: 422, headers: { 'content-type': 'application/problem+json' } })))
    const p = useComponentPoints(() => '320115')
    await p.load({}, null)
    expect(p.error.value).toBe('bbox: bad')
    expect(p.loading.value).toBe(false)
  })
})
