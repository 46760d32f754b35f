// The reference lists a county's settings pages pick from: classes of the catalogue, the
// departments a case may go to (own and the city's shared ones), streets and communities.
import { ref } from 'vue'
import { api, call, type Schemas } from '@/api/client'

export function useFrameRefs(code: () => string) {
  const classes = ref<Schemas['CatalogClass'][]>([])
  const departments = ref<Schemas['Department'][]>([])
  const streets = ref<Schemas['Street'][]>([])
  const communities = ref<Schemas['Community'][]>([])

  async function load() {
    const path = { path: { tenant_code: code() } }
    ;[classes.value, departments.value, streets.value, communities.value] = await Promise.all([
      call(api.GET('/api/v1/tenants/{tenant_code}/catalog/classes', { params: path })),
      call(api.GET('/api/v1/tenants/{tenant_code}/dispatch-targets', { params: path })),
      call(api.GET('/api/v1/tenants/{tenant_code}/streets', { params: path })),
      call(api.GET('/api/v1/tenants/{tenant_code}/communities', { params: path })),
    ])
  }

  return { classes, departments, streets, communities, load }
}
