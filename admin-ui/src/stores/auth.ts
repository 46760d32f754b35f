// The session: tokens, who the caller is, which tenant the pages show, and what the caller
// may do there. The server decides; `can` only hides what it would refuse.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, call, installSession, type Schemas } from '@/api/client'
import { allows } from './permissions'

type Me = Schemas['Me']
type TokenPair = Schemas['TokenPair']

const KEY = 'urbangrid.session'
/** Minutes without input after which the console logs out (等保: session timeout). */
export const IDLE_MINUTES = 30

interface Stored {
  home: string
  context: string
  access: string
  refresh: string
  expiresAt: number
}

/** Where the session is kept: the tab's sessionStorage for the console (closing the tab logs
 * out); the mobile web keeps it in localStorage (see `keepSessionIn`), since a phone app is
 * closed and reopened all day on patrol and its offline queue must still be sent later. */
let storage: Storage = sessionStorage

/** Keep the session in `s` instead of sessionStorage; call before the store is first used. */
export function keepSessionIn(s: Storage) {
  storage = s
}

function load(): Stored | null {
  try {
    return JSON.parse(storage.getItem(KEY) ?? 'null')
  } catch {
    return null
  }
}

export const useAuth = defineStore('auth', () => {
  const stored = ref<Stored | null>(load())
  const me = ref<Me | null>(null)
  /** The reason the last session ended (shown on the login page). */
  const endedBecause = ref<'idle' | 'expired' | null>(null)

  const loggedIn = computed(() => stored.value !== null)
  const homeTenant = computed(() => stored.value?.home ?? '')
  /** The tenant whose data the pages show: the home tenant, or one of its counties. */
  const tenant = computed(() => stored.value?.context ?? '')
  const inDescendant = computed(() => tenant.value !== homeTenant.value)
  const permissions = computed<string[]>(() => me.value?.permissions ?? [])
  const level = computed(() => (inDescendant.value ? 'county' : me.value?.tenant.level ?? 'county'))

  function save(s: Stored | null) {
    stored.value = s
    if (s) storage.setItem(KEY, JSON.stringify(s))
    else storage.removeItem(KEY)
  }

  function keep(home: string, context: string, t: TokenPair) {
    save({ home, context, access: t.access_token, refresh: t.refresh_token, expiresAt: Date.now() + t.expires_in * 1000 })
  }

  async function login(tenantCode: string, username: string, password: string) {
    const t = await call(api.POST('/api/v1/auth/login', { body: { tenant_code: tenantCode, username, password } }))
    keep(tenantCode, tenantCode, t)
    endedBecause.value = null
    await loadMe()
  }

  async function loadMe() {
    me.value = await call(api.GET('/api/v1/me'))
  }

  async function refresh(): Promise<boolean> {
    const s = stored.value
    if (!s) return false
    const r = await api.POST('/api/v1/auth/refresh', { body: { refresh_token: s.refresh } })
    if (!r.data) return false
    keep(s.home, s.context, r.data)
    return true
  }

  async function logout(reason: 'idle' | 'expired' | null = null) {
    const s = stored.value
    if (s) await api.POST('/api/v1/auth/logout', { body: { refresh_token: s.refresh } }).catch(() => undefined)
    save(null)
    me.value = null
    endedBecause.value = reason
  }

  function switchTenant(code: string) {
    if (stored.value) save({ ...stored.value, context: code })
  }

  /** May the caller do `perm` (`resource:action`) in the tenant the pages show? */
  function can(perm: string | undefined): boolean {
    return allows(permissions.value, perm, inDescendant.value)
  }

  /** May the caller do `perm` in tenant `code` (its own, or one beneath it)? */
  function canIn(code: string, perm: string | undefined): boolean {
    return allows(permissions.value, perm, code !== homeTenant.value)
  }

  installSession({
    accessToken: () => stored.value?.access ?? null,
    refresh,
    expired: () => {
      save(null)
      me.value = null
      endedBecause.value = 'expired'
    },
  })

  return { me, loggedIn, homeTenant, tenant, inDescendant, level, permissions, endedBecause, login, loadMe, refresh, logout, switchTenant, can, canIn }
})
