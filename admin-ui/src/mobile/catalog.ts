// The catalogue as the collector picks from it: searchable by name or code, the collector's
// recent classes first. Kept in localStorage so the picker works without signal.
import { api, call, type Schemas } from '@/api/client'

export type CatalogClass = Schemas['CatalogClass']

const CATALOG = 'urbangrid.m.catalog'
const RECENT = 'urbangrid.m.recent'
const RECENT_MAX = 6

/** The national catalogue: from the server when reachable, else the copy kept last time. */
export async function loadCatalog(): Promise<CatalogClass[]> {
  try {
    const list = await call(api.GET('/api/v1/catalog/classes', {}))
    localStorage.setItem(CATALOG, JSON.stringify(list))
    return list
  } catch (e) {
    const kept = localStorage.getItem(CATALOG)
    if (kept) return JSON.parse(kept) as CatalogClass[]
    throw e
  }
}

/** `kind:code` of the classes used last, most recent first. */
export function recentClasses(): string[] {
  try {
    return JSON.parse(localStorage.getItem(RECENT) ?? '[]') as string[]
  } catch {
    return []
  }
}

export function remember(c: Pick<CatalogClass, 'kind' | 'code'>) {
  const id = `${c.kind}:${c.code}`
  const next = [id, ...recentClasses().filter((r) => r !== id)].slice(0, RECENT_MAX)
  localStorage.setItem(RECENT, JSON.stringify(next))
}

/** The classes matching `query` (name, English name or code; all when empty), the recent ones
 * first in their order of use, then the catalogue's order. */
export function ordered(classes: CatalogClass[], recent: string[], query: string): CatalogClass[] {
  const q = query.trim().toLowerCase()
  const hits = q
    ? classes.filter(
        (c) => c.name.toLowerCase().includes(q) || c.code.startsWith(q) || (c.name_en ?? '').toLowerCase().includes(q),
      )
    : classes
  const rank = (c: CatalogClass) => {
    const i = recent.indexOf(`${c.kind}:${c.code}`)
    return i < 0 ? recent.length : i
  }
  return hits
    .map((c, i) => ({ c, i, r: rank(c) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.c)
}
