// The tenant's catalogue of classes (national and local), fetched once per tenant, to name a
// class wherever a page shows only its code. A class is its kind and its code together: the
// catalogue numbers components and matters both from 01001.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, call, type Schemas } from '@/api/client'
import { i18n } from '@/i18n'

export const useCatalog = defineStore('catalog', () => {
  const byTenant = ref(new Map<string, Schemas['CatalogClass'][]>())
  const loading = new Map<string, Promise<void>>()

  function ensure(tenant: string): Promise<void> {
    let p = loading.get(tenant)
    if (!p) {
      p = call(api.GET('/api/v1/tenants/{tenant_code}/catalog/classes', { params: { path: { tenant_code: tenant } } }))
        .then((list) => {
          byTenant.value.set(tenant, list)
        })
        .catch(() => {
          loading.delete(tenant)
        })
      loading.set(tenant, p)
    }
    return p
  }

  /** The class's name in the current language, or its code while the catalogue loads. */
  function name(tenant: string, kind: string | null | undefined, code: string): string {
    const c = byTenant.value.get(tenant)?.find((x) => x.code === code && (!kind || x.kind === kind))
    if (!c) return code
    return i18n.global.locale.value === 'en' && c.name_en ? c.name_en : c.name
  }

  return { ensure, name }
})
