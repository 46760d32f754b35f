// Who the collector is, also without signal: `/api/v1/me` when reachable, else the copy kept
// at the last successful load (the pages need the tenant and the user's id, not fresh roles).
import { useAuth } from '@/stores/auth'
import type { Schemas } from '@/api/client'

const ME = 'urbangrid.m.me'

export async function loadMe() {
  const auth = useAuth()
  try {
    await auth.loadMe()
    localStorage.setItem(ME, JSON.stringify(auth.me))
  } catch {
    const kept = localStorage.getItem(ME)
    if (kept && !auth.me) auth.me = JSON.parse(kept) as Schemas['Me']
  }
}

export function forgetMe() {
  localStorage.removeItem(ME)
}
