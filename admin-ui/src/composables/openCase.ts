// Opens a case's page from anywhere (a drill-down, a hotspot, a directive). A case belongs to a
// county: from a city's page the console first looks into that county, as the tenant switch
// does, so the case page reads it where it lives.
import type { Router } from 'vue-router'
import { useAuth } from '@/stores/auth'

export function openCase(router: Router, caseId: string, county?: string | null) {
  const auth = useAuth()
  if (county && county !== auth.tenant) auth.switchTenant(county)
  return router.push(`/cases/${caseId}`)
}
