import { ref } from 'vue'
import { api, call, type Schemas } from '@/api/client'

/** A county's readiness checklist, reloaded after each change a step makes. */
export function useReadiness(code: () => string) {
  const readiness = ref<Schemas['Readiness'] | null>(null)
  const error = ref('')
  async function load() {
    try {
      readiness.value = await call(api.GET('/api/v1/tenants/{tenant_code}/readiness', { params: { path: { tenant_code: code() } } }))
      error.value = ''
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    }
  }
  function done(keys: string[]): boolean | null {
    const items = readiness.value?.items
    if (!items) return null
    return keys.every((k) => items.find((i) => i.key === k)?.ok ?? true)
  }
  return { readiness, error, load, done }
}
