// What the evaluation pages compute on top of the server's tables: the previous period to
// compare with, rank moves between two tables, grade colours, and the candidate scheme's moves.
import type { Schemas } from '@/api/client'

export type Table = Schemas['Table']
export type Row = Schemas['Row']
export type PeriodKind = Schemas['PeriodKind']

/** A row's identity across tables: a city's tables hold one row per county for a shared
 * department, so the county is part of it. */
export function rowKey(r: Pick<Row, 'subject' | 'county'>): string {
  return `${r.county ?? ''}/${r.subject}`
}

/** A day inside the period before the one that starts on `from` (YYYY-MM-DD): the day before
 * it. Day, week, month, quarter and year periods all end the day before the next begins. */
export function previousDate(from: string): string {
  const d = new Date(`${from}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

/** Rank moves from `before` to `after`: positive when a subject moved up (a smaller rank),
 * `null` when it was not ranked before. */
export function rankMoves(after: readonly Row[], before: readonly Row[] | null): Map<string, number | null> {
  const was = new Map((before ?? []).map((r) => [rowKey(r), r.rank ?? null]))
  const out = new Map<string, number | null>()
  for (const r of after) {
    const prev = was.get(rowKey(r))
    out.set(rowKey(r), prev == null || r.rank == null ? null : prev - r.rank)
  }
  return out
}

/** Element Plus tag type for a grade: the scheme's best grade green, its worst red. */
export function gradeType(grade: string | null | undefined, grades: readonly Schemas['Band'][]): 'success' | 'primary' | 'warning' | 'danger' | 'info' {
  const i = grades.findIndex((g) => g.grade === grade)
  if (i < 0) return 'info'
  if (i === 0) return 'success'
  if (i === grades.length - 1) return 'danger'
  return i <= (grades.length - 1) / 2 ? 'primary' : 'warning'
}

/** The sum of a group's weights (the server refuses a scheme whose group does not sum to 100). */
export function weightSum(parts: readonly { weight: number }[]): number {
  return Math.round(parts.reduce((s, p) => s + (Number(p.weight) || 0), 0) * 100) / 100
}

/** The weights group of a subject kind (the four region levels share one). */
export function groupOf(kind: Schemas['SubjectKind']): string {
  return ['grid', 'community', 'street', 'county'].includes(kind) ? 'region' : kind
}
