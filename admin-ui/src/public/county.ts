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

/** The extent as a GeoJSON outline for the map. */
export function outline(extent: number[] | null | undefined) {
  if (!extent || extent.length !== 4) return null
  const [a, b, c, d] = extent
  return {
    type: 'FeatureCollection' as const,
    features: [{ type: 'Feature' as const, properties: {}, geometry: { type: 'Polygon', coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]] } }],
  }
}
