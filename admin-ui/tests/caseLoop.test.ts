import { describe, expect, it } from 'vitest'
import { actionForKey, buttonType, commandOf, fieldsOf, initialValue, missing, needsForm, routeOf, type Available } from '@/composables/caseActions'
import { caseQuery, caseQueryString } from '@/composables/caseFilters'
import { SseParser, connectCaseEvents, type FeedEvent } from '@/composables/useCaseEvents'

const av = (action: string, required: string[] = [], optional: string[] = []) => ({ action, required, optional }) as Available

describe('available actions → form fields', () => {
  it('asks for each field the server names, required first, by kind', () => {
    const f = fieldsOf(av('file', ['class_code'], ['condition']))
    expect(f).toEqual([
      { name: 'class_code', kind: 'class', required: true },
      { name: 'condition', kind: 'textarea', required: false },
    ])
    expect(fieldsOf(av('request_extension', ['hours', 'reason'])).map((x) => x.kind)).toEqual(['number', 'textarea'])
    expect(fieldsOf(av('check', ['passed'], ['note']))[0]).toEqual({ name: 'passed', kind: 'bool', required: true })
    // A field this console has never heard of is still asked for, as text.
    expect(fieldsOf(av('novel', ['colour']))[0].kind).toBe('text')
    expect(needsForm(av('accept'))).toBe(false)
    expect(needsForm(av('reject', ['reason']))).toBe(true)
  })

  it('builds the command from the values, typed and without empty optional fields', () => {
    const f = fieldsOf(av('request_extension', ['hours', 'reason']))
    expect(missing(f, { hours: '', reason: ' ' })).toEqual(['hours', 'reason'])
    expect(commandOf('request_extension', f, { hours: '8', reason: ' 材料未到 ' })).toEqual({ action: 'request_extension', hours: 8, reason: '材料未到' })
    const c = fieldsOf(av('check', ['passed'], ['note']))
    expect(missing(c, { passed: false })).toEqual([])
    expect(commandOf('check', c, { passed: false, note: '' })).toEqual({ action: 'check', passed: false })
    const h = fieldsOf(av('handle', ['note'], ['photos']))
    expect(h.map(initialValue)).toEqual(['', []])
    expect(commandOf('handle', h, { note: '已修复', photos: ['p1'] })).toEqual({ action: 'handle', note: '已修复', photos: ['p1'] })
    expect(commandOf('handle', h, { note: '已修复', photos: [] })).toEqual({ action: 'handle', note: '已修复' })
    const s = fieldsOf(av('supervise', ['note', 'due']))
    expect(commandOf('supervise', s, { note: 'x', due: '2026-12-31T08:00:00Z' }).due).toBe('2026-12-31T08:00:00.000Z')
    expect(routeOf('supervise')).toBe('supervision-orders')
    expect(routeOf('dispatch')).toBe('actions')
  })

  it('maps keys to the actions the case offers, and styles turning-away actions as danger', () => {
    const offered = [av('accept'), av('reject', ['reason'])]
    expect(actionForKey('A', offered)?.action).toBe('accept')
    expect(actionForKey('r', offered)?.action).toBe('reject')
    expect(actionForKey('f', offered)).toBeUndefined()
    expect(buttonType('reject')).toBe('danger')
    expect(buttonType('dispatch')).toBe('primary')
    expect(buttonType('resume')).toBe('default')
  })
})

describe('case filters ↔ URL', () => {
  it('turns the URL filters into the API query over the workbench queue', () => {
    expect(caseQuery({ state: undefined, class: '06010' }, { state: 'reported,verifying' })).toEqual({ state: 'reported,verifying', class: '06010' })
    expect(caseQuery({ state: 'verifying' }, { state: 'reported,verifying' }).state).toBe('verifying')
    // A state outside the queue cannot widen it.
    expect(caseQuery({ state: 'closed' }, { state: 'reported,verifying' }).state).toBe('reported,verifying')
    expect(caseQuery({ state: 'closed' }).state).toBe('closed')
    const q = caseQuery({ overdue: 'true', from: '2026-12-01', to: '2026-12-31', source: 'public' })
    expect(q).toEqual({ overdue: true, from: '2026-12-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00', source: 'public' })
    expect(caseQuery({ overdue: 'maybe' }).overdue).toBeUndefined()
    expect(caseQueryString({ state: 'filed', overdue: false, class: undefined })).toBe('state=filed&overdue=false')
  })
})

describe('the live case feed', () => {
  it('parses event-stream chunks split anywhere', () => {
    const p = new SseParser()
    expect(p.push('id: 7\nevent: ca')).toEqual([])
    expect(p.push('se\ndata: {"a":1}\n')).toEqual([])
    expect(p.push('\n: keep-alive\n\nid: 8\r\nevent: case\r\ndata: x\r\ndata: y\r\n\r\n')).toEqual([
      { id: '7', event: 'case', data: '{"a":1}' },
      { id: '8', event: 'case', data: 'x\ny' },
    ])
  })

  it('reconnects after the stream ends or fails, resuming from the last id', async () => {
    const seen: (string | null)[] = []
    const got: number[] = []
    const enc = new TextEncoder()
    const ev = (id: number) => `id: ${id}\nevent: case\ndata: ${JSON.stringify({ id, case_id: 'c', action: 'report', state: 'reported', number: 'n', seq: 1, at: '' })}\n\n`
    const streams = [
      () => `${ev(1)}${ev(2)}event: end\ndata: {"reason":"session"}\n\n`,
      () => { throw new TypeError('network down') },
      () => ev(3),
    ]
    let call = 0
    const fetcher = async (_url: string, init: RequestInit) => {
      seen.push(new Headers(init.headers).get('Last-Event-ID'))
      const make = streams[Math.min(call++, streams.length - 1)]
      const text = make()
      return new Response(new ReadableStream({ start(c) { c.enqueue(enc.encode(text)); c.close() } }))
    }
    const conn = connectCaseEvents({ url: () => '/feed', fetcher, onEvent: (e: FeedEvent) => got.push(e.id), baseDelayMs: 1, maxDelayMs: 2 })
    for (let i = 0; i < 200 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 2))
    await conn.stop()
    expect(got.slice(0, 3)).toEqual([1, 2, 3])
    expect(seen.slice(0, 3)).toEqual([null, '2', '2'])
    expect(conn.lastId()).toBe('3')
    expect(conn.state.reconnects).toBeGreaterThanOrEqual(2)
  })
})
