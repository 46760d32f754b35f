// The filters every case list shares (state, class, street, department, overdue, source, dates,
// number), as kept in the URL (`?state=filed&from=2026-12-01`) and as the API takes them. Dates
// in the URL are calendar days in the county's time zone (Asia/Shanghai); the API wants instants.
import type { Query } from '@/composables/useList'

export const CASE_FILTERS = ['state', 'class', 'street', 'department', 'overdue', 'source', 'from', 'to', 'number'] as const

/** The query of `…/cases` (and `…/cases/export`). */
export interface CaseQuery {
  state?: string
  class?: string
  street?: string
  department?: string
  overdue?: boolean
  source?: string
  from?: string
  to?: string
  number?: string
  pending?: string
  supervised?: boolean
  order?: 'oldest' | 'newest'
}

const ZONE = '+08:00'

/** The day after `day` (YYYY-MM-DD). */
function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

/**
 * The API query of a list: the URL's filters over the workbench's own (`fixed`: its queue's
 * states, a pending request). A state chosen in the form narrows the queue, and only to states
 * the queue holds: a workbench never shows cases outside its station.
 */
export function caseQuery(q: Query, fixed: CaseQuery = {}): CaseQuery {
  const out: CaseQuery = { ...fixed }
  if (q.state) {
    const queue = fixed.state?.split(',')
    const chosen = q.state.split(',').filter((s) => !queue || queue.includes(s))
    out.state = chosen.length ? chosen.join(',') : fixed.state
  }
  for (const k of ['class', 'street', 'department', 'source', 'number'] as const) if (q[k]) out[k] = q[k]
  if (q.overdue === 'true' || q.overdue === 'false') out.overdue = q.overdue === 'true'
  if (q.from) out.from = `${q.from}T00:00:00${ZONE}`
  if (q.to) out.to = `${nextDay(q.to)}T00:00:00${ZONE}`
  return out
}

/** `?a=1&b=2` of a case query, for the export's URL. */
export function caseQueryString(q: CaseQuery): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v))
  return p.toString()
}

const FMT = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
})

/** An instant as staff read it: `2026-12-04 14:05`, county time. */
export function localTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const p = Object.fromEntries(FMT.formatToParts(new Date(iso)).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}
