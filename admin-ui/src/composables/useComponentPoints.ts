// The census components of a county as points for a map: every component matching the filters,
// from the list route (the export would be audited as a download each time a map opens). The
// frame's extent is cut into strips fetched side by side (`bbox`), each paged 500 at a time, and
// the map gets the points strip by strip, so 20,000 components arrive in a few requests' time
// while the map stays usable.
import { ref, shallowRef } from 'vue'
import { ApiError, api, call } from '@/api/client'
import type { GeoJsonCollection } from '@/components/MapView.vue'

type Extent = [number, number, number, number]
const STRIPS = 4

/** The WGS84 box around a FeatureCollection's polygons (null when it has none). */
export function extentOf(fc: GeoJsonCollection | null): Extent | null {
  if (!fc?.features.length) return null
  const e: Extent = [Infinity, Infinity, -Infinity, -Infinity]
  const walk = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[]
      if (x < e[0]) e[0] = x
      if (y < e[1]) e[1] = y
      if (x > e[2]) e[2] = x
      if (y > e[3]) e[3] = y
    } else if (Array.isArray(c)) for (const x of c) walk(x)
  }
  for (const f of fc.features) walk((f.geometry as { coordinates?: unknown } | null)?.coordinates)
  return Number.isFinite(e[0]) ? e : null
}

export function useComponentPoints(tenant: () => string) {
  const points = shallowRef<GeoJsonCollection | null>(null)
  const loaded = ref(0)
  const loading = ref(false)
  const error = ref('')
  let run = 0

  async function load(filters: Record<string, string>, frame: Extent | null) {
    const token = ++run
    loading.value = true
    error.value = ''
    loaded.value = 0
    const seen = new Set<string>()
    const features: GeoJsonCollection['features'] = []
    const strips: (string | undefined)[] = []
    if (frame) {
      // A little margin: a component on the frame's edge is still inside a strip.
      const [x0, y0, x1, y1] = [frame[0] - 1e-4, frame[1] - 1e-4, frame[2] + 1e-4, frame[3] + 1e-4]
      const w = (x1 - x0) / STRIPS
      for (let i = 0; i < STRIPS; i++) strips.push([x0 + i * w, y0, i === STRIPS - 1 ? x1 : x0 + (i + 1) * w, y1].map((v) => v.toFixed(7)).join(','))
    } else strips.push(undefined)

    async function strip(bbox: string | undefined) {
      let cursor: string | undefined
      do {
        const page = await call(api.GET('/api/v1/tenants/{tenant_code}/components', {
          params: { path: { tenant_code: tenant() }, query: { ...filters, bbox, cursor, limit: 500 } },
        }))
        if (token !== run) return
        for (const c of page.items) {
          if (seen.has(c.component_id)) continue // on the line between two strips
          seen.add(c.component_id)
          features.push({ type: 'Feature', geometry: c.location, properties: { component_id: c.component_id, name: c.name, class_code: c.class_code, status: c.status } })
        }
        loaded.value = features.length
        cursor = page.next_cursor ?? undefined
      } while (cursor)
      if (token === run) points.value = { type: 'FeatureCollection', features: [...features] }
    }

    try {
      await Promise.all(strips.map(strip))
      // Every component lies in a unit grid, hence inside the frame's box the strips cover.
      if (token === run) points.value = { type: 'FeatureCollection', features }
    } catch (e) {
      if (token === run) error.value = e instanceof ApiError ? e.detail : String(e)
    } finally {
      if (token === run) loading.value = false
    }
  }

  return { points, loaded, loading, error, load }
}
