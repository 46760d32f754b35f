// The county as the public page shows it (name, extent, the everyday problems), read once.
import { api, call, type Schemas } from '@/api/client'

export type PublicCounty = Schemas['PublicCounty']
const loaded = new Map<string, Promise<PublicCounty>>()

export function county(code: string): Promise<PublicCounty> {
  let p = loaded.get(code)
  if (!p) {
    p = call(api.GET('/api/v1/public/{tenant_code}', { params: { path: { tenant_code: code } } }))
    p.catch(() => loaded.delete(code))
    loaded.set(code, p)
  }
  return p
}

/** The county's silhouette (rectangles of a coarse lattice its grids cover) as GeoJSON for the
 * map: one multipolygon, so the map draws the county's shape without a basemap. */
export function outline(rects: number[][] | null | undefined) {
  if (!rects?.length) return null
  const coordinates = rects.map(([a, b, c, d]) => [[[a, b], [c, b], [c, d], [a, d], [a, b]]])
  return {
    type: 'FeatureCollection' as const,
    features: [{ type: 'Feature' as const, properties: { street_code: 'county' }, geometry: { type: 'MultiPolygon', coordinates } }],
  }
}
