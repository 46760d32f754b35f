import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { routes, pages, screens, type Level } from './routes'
import { useAuth } from '@/stores/auth'

// Hash history: the server needs no rewrite rules, and `/m/` (the mobile web) stays its own entry.
export const router = createRouter({ history: createWebHashHistory(), routes })

/** Whether the caller may open `page` in the tenant shown now. */
export function visible(page: RouteRecordRaw, can: (p?: string) => boolean, level: Level): boolean {
  const m = page.meta ?? {}
  return can(m.perm) && (!m.levels || m.levels.includes(level))
}

/** The menu pages the caller may open, in their declared order. */
export function menuPages(can: (p?: string) => boolean, level: Level) {
  return pages.filter((p) => p.meta?.menu !== false && visible(p, can, level))
}

router.beforeEach(async (to) => {
  const auth = useAuth()
  if (to.meta.public) return true
  if (!auth.loggedIn) return { name: 'login', query: { redirect: to.fullPath } }
  if (!auth.me) {
    try {
      await auth.loadMe()
    } catch {
      await auth.logout('expired')
      return { name: 'login', query: { redirect: to.fullPath } }
    }
  }
  const page = [...pages, ...screens].find((p) => p.name === to.name)
  if (page && !visible(page, auth.can, auth.level as Level)) return { name: 'home' }
  return true
})
