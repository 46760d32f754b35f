import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, call, installSession } from '@/api/client'

const problem = (status: number, body: object) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } })

afterEach(() => vi.unstubAllGlobals())

describe('ApiError', () => {
  it('keeps the code, detail and field errors of a problem', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => problem(422, {
      type: '/problems/validation_failed', title: 't', status: 422, code: 'validation_failed', detail: 'name: required',
      errors: [{ field: 'name', reason: 'required' }, { field: 'name', reason: 'too short' }],
    })))
    const e = await call(api.GET('/api/v1/me')).catch((x) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('validation_failed')
    expect(e.byField()).toEqual({ name: 'required; too short' })
  })

  it('refreshes once on 401 and retries with the new token', async () => {
    let token = 'old'
    const refresh = vi.fn(async () => {
      token = 'new'
      return true
    })
    installSession({ accessToken: () => token, refresh, expired: () => {} })
    const seen: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      seen.push(req.headers.get('Authorization') ?? '')
      return req.headers.get('Authorization') === 'Bearer new'
        ? new Response(JSON.stringify({ ok: 1 }), { headers: { 'content-type': 'application/json' } })
        : problem(401, { code: 'invalid_token', detail: 'expired', status: 401, title: 't', type: 'x' })
    }))
    const [a, b] = await Promise.all([call(api.GET('/api/v1/me')), call(api.GET('/api/v1/vocabulary'))])
    expect(a).toEqual({ ok: 1 })
    expect(b).toEqual({ ok: 1 })
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(seen.filter((s) => s === 'Bearer new')).toHaveLength(2)
  })

  it('ends the session when the refresh fails', async () => {
    const expired = vi.fn()
    installSession({ accessToken: () => 't', refresh: async () => false, expired })
    vi.stubGlobal('fetch', vi.fn(async () => problem(401, { code: 'invalid_token', detail: 'x', status: 401, title: 't', type: 'x' })))
    const e = await call(api.GET('/api/v1/me')).catch((x) => x)
    expect(e.status).toBe(401)
    expect(expired).toHaveBeenCalledTimes(1)
  })
})
