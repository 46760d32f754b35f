// Every kind of notification reads as a sentence in both languages, from its parameters.
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { en, zh } from '@/i18n/messages'
import { notificationIcon, notificationText, type NotificationView } from '@/composables/notificationText'

const KINDS: NotificationView['kind'][] = ['task_dispatched', 'verification_task', 'check_task', 'deadline_yellow', 'deadline_red', 'supervision_order', 'approval_waiting', 'import_finished']

function note(kind: NotificationView['kind'], params: Record<string, unknown> = {}): NotificationView {
  return { id: 'n', event_id: 'e', kind, case_id: 'c', case_number: '320115-20261204-0042', params, created_at: '2026-12-04T08:00:00Z', read_at: null }
}

describe('notification text', () => {
  for (const locale of ['zh-CN', 'en'] as const) {
    const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zh, en } as never, missingWarn: false, fallbackWarn: false })
    const t = i18n.global.t as (k: string, v?: Record<string, unknown>) => string
    it(`renders every kind in ${locale}`, () => {
      for (const k of KINDS) {
        const text = notificationText(note(k, { via: 'rework', request: 'void', note: '限期', status: 'failed', message: '3 rows' }), t)
        expect(text, k).not.toMatch(/notify\./)
        expect(notificationIcon(note(k))).not.toBe('Bell')
      }
    })
    it(`puts the parameters in (${locale})`, () => {
      expect(notificationText(note('task_dispatched', { via: 'dispatch' }), t)).toContain('320115-20261204-0042')
      expect(notificationText(note('supervision_order', { note: '限期处理', from_city: true }), t)).toContain('限期处理')
      expect(notificationText(note('import_finished', { status: 'succeeded', message: '2 records' }), t)).toContain('2 records')
    })
  }
})

describe('dashboard points', () => {
  it('turn columns into features with their properties', async () => {
    const { pointsToGeoJson, percent } = await import('@/composables/useDashboard')
    const fc = pointsToGeoJson({ count: 2, counties: ['320115'], id: ['a', 'b'], number: ['1', '2'], lon: [118.1, 118.2], lat: [31.1, 31.2], state: ['filed', 'dispatched'], light: ['green', null], class_code: ['06010', '01001'], county: [0, 0] })
    expect(fc.features).toHaveLength(2)
    expect(fc.features[1]).toMatchObject({ geometry: { coordinates: [118.2, 31.2] }, properties: { id: 'b', light: null, county: '320115' } })
    expect([percent(0.925), percent(null)]).toEqual(['92.5%', '—'])
  })
})
