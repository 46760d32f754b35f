import { describe, expect, it } from 'vitest'
import { gradeType, groupOf, previousDate, rankMoves, weightSum, type Row } from '@/views/evaluation/ranking'

const row = (subject: string, rank: number | null, county = '320115'): Row =>
  ({ kind: 'department', subject, county, rank, indicators: {} }) as Row

describe('evaluation ranking', () => {
  it('finds the previous period from the first day of this one', () => {
    expect(previousDate('2026-12-01')).toBe('2026-11-30')
    expect(previousDate('2026-01-01')).toBe('2025-12-31')
    expect(previousDate('2024-03-01')).toBe('2024-02-29')
  })

  it('tells rank moves by subject and county, new subjects without a move', () => {
    const before = [row('a', 1), row('b', 2), row('c', 3), row('a', 4, '320102')]
    const after = [row('c', 1), row('a', 2), row('b', 3), row('d', 4), row('a', 5, '320102')]
    const m = rankMoves(after, before)
    expect(m.get('320115/c')).toBe(2)
    expect(m.get('320115/a')).toBe(-1)
    expect(m.get('320115/d')).toBeNull()
    expect(m.get('320102/a')).toBe(-1)
    expect(rankMoves(after, null).get('320115/c')).toBeNull()
  })

  it('colours grades from the best to the worst', () => {
    const grades = ['A', 'B', 'C', 'D', 'E'].map((grade, i) => ({ grade, min: 90 - i * 20 }))
    expect(['A', 'B', 'C', 'D', 'E', 'X'].map((g) => gradeType(g, grades))).toEqual(['success', 'primary', 'primary', 'warning', 'danger', 'info'])
  })

  it('sums weights and groups region levels', () => {
    expect(weightSum([{ weight: 10 }, { weight: 20.5 }, { weight: 69.5 }])).toBe(100)
    expect(groupOf('street')).toBe('region')
    expect(groupOf('department')).toBe('department')
  })
})
