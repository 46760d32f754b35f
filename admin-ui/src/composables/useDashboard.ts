// The dashboard's data for the tenant shown: the figures (…/dashboard) and the open cases as
// map points (…/cases/points), loaded together; `refresh()` reloads both, `every(ms)` keeps
// them fresh (the big screen). The points arrive as columns and become a GeoJSON collection
// here, once per load. `loadedMs` is how long the last load took (the benchmark reads it).
import { computed, onBeforeUnmount, ref, shallowRef } from 'vue'
import { api, call, type Schemas } from '@/api/client'
import { useAuth } from '@/stores/auth'
import type { GeoJsonCollection } from '@/components/MapView.vue'

export type Dashboard = Schemas['Dashboard']
export type Points = Schemas['Points']
export type Counts = Schemas['Counts']

/** Points columns → features with the properties the map styles and clicks use. */
export function pointsToGeoJson(p: Points): GeoJsonCollection {
  const features: GeoJsonCollection['features'] = new Array(p.count)
  for (let i = 0; i < p.count; i++) {
    features[i] = {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [p.lon[i], p.lat[i]] },
      properties: { id: p.id[i], number: p.number[i], state: p.state[i], light: p.light[i] ?? null, class_code: p.class_code[i], county: p.counties[p.county[i]] },
    }
  }
  return { type: 'FeatureCollection', features }
}

/** A rate as a percentage text (— when there is nothing to rate). */
export function percent(r: number | null | undefined): string {
  return r == null ? '—' : `${(r * 100).toFixed(1)}%`
}

export function useDashboard() {
  const auth = useAuth()
  const data = shallowRef<Dashboard | null>(null)
  const points = shallowRef<GeoJsonCollection | null>(null)
  const count = ref(0)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const loadedMs = ref(0)
  const isCity = computed(() => (data.value?.counties.length ?? 0) > 0)

  async function refresh() {
    const started = performance.now()
    loading.value = true
    error.value = null
    const path = { tenant_code: auth.tenant }
    try {
      const [d, p] = await Promise.all([
        call(api.GET('/api/v1/tenants/{tenant_code}/dashboard', { params: { path } })),
        call(api.GET('/api/v1/tenants/{tenant_code}/cases/points', { params: { path } })),
      ])
      data.value = d
      points.value = pointsToGeoJson(p)
      count.value = p.count
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    } finally {
      loading.value = false
      loadedMs.value = Math.round(performance.now() - started)
    }
  }

  let timer: number | undefined
  function every(ms: number) {
    window.clearInterval(timer)
    timer = window.setInterval(refresh, ms)
  }
  onBeforeUnmount(() => window.clearInterval(timer))

  return { data, points, count, loading, error, loadedMs, isCity, refresh, every }
}
