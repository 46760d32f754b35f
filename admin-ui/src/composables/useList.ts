// A paged list whose filters live in the URL (shareable, survive a reload). Pages are
// cursor-based as the API pages: the cursors of the pages seen are kept for "previous".
import { reactive, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { ApiError } from '@/api/client'

export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}

export type Query = Record<string, string | undefined>

export function useList<T>(fetch: (q: Query, cursor?: string) => Promise<Page<T>>, keys: string[]) {
  const route = useRoute()
  const router = useRouter()
  const query = reactive<Query>({})
  for (const k of keys) query[k] = typeof route.query[k] === 'string' ? (route.query[k] as string) : undefined

  const items = ref<T[]>([]) as { value: T[] }
  const loading = ref(false)
  const error = ref('')
  const cursors = ref<(string | undefined)[]>([undefined])
  const pageIndex = ref(0)
  const next = ref<string | null>(null)

  async function load() {
    loading.value = true
    error.value = ''
    try {
      const page = await fetch({ ...query }, cursors.value[pageIndex.value])
      items.value = page.items
      next.value = page.next_cursor ?? null
    } catch (e) {
      items.value = []
      next.value = null
      error.value = e instanceof ApiError ? e.detail : String(e)
    } finally {
      loading.value = false
    }
  }

  /** Applies the filters: back to the first page, filters written into the URL. */
  function search() {
    cursors.value = [undefined]
    pageIndex.value = 0
    const q: Record<string, string> = {}
    for (const [k, v] of Object.entries(query)) if (v) q[k] = v
    router.replace({ query: q })
    return load()
  }

  function reset() {
    for (const k of keys) query[k] = undefined
    return search()
  }

  function nextPage() {
    if (!next.value) return
    cursors.value = [...cursors.value.slice(0, pageIndex.value + 1), next.value]
    pageIndex.value += 1
    return load()
  }

  function prevPage() {
    if (pageIndex.value === 0) return
    pageIndex.value -= 1
    return load()
  }

  return { query, items, loading, error, pageIndex, next, load, search, reset, nextPage, prevPage }
}
