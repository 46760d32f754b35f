// One typed client for the whole console. Paths, parameters and bodies come from the
// generated `schema.d.ts` (npm run gen:api), so a changed route breaks `vue-tsc`, not a screen.
//
// The middleware adds the bearer token, refreshes it once on 401 (one refresh shared by all
// requests that failed at the same time: refresh tokens are single-use), and turns the server's
// problem+json into an `ApiError` with its field errors.
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'

export type Schemas = components['schemas']
export type Problem = Schemas['Problem']
export type FieldError = Schemas['FieldError']

/** A refused or failed request, as the server described it. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly detail: string
  readonly fields: FieldError[]

  constructor(status: number, problem: Partial<Problem> | undefined) {
    super(problem?.detail || problem?.title || `HTTP ${status}`)
    this.status = status
    this.code = problem?.code ?? (status === 0 ? 'network' : 'unknown')
    this.detail = problem?.detail ?? this.message
    this.fields = problem?.errors ?? []
  }

  /** Field errors by field path (`admin.password` → reason). */
  byField(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.fields) out[e.field] = out[e.field] ? `${out[e.field]}; ${e.reason}` : e.reason
    return out
  }
}

/** What the client needs from the session; the auth store provides it (kept out of here so
 * the client has no dependency on Pinia and can be unit-tested). */
export interface SessionHooks {
  accessToken(): string | null
  /** Exchange the refresh token; resolves to false when the session is over. */
  refresh(): Promise<boolean>
  /** The session ended (refresh failed, or logged out elsewhere). */
  expired(): void
}

let hooks: SessionHooks = {
  accessToken: () => null,
  refresh: async () => false,
  expired: () => {},
}

export function installSession(h: SessionHooks) {
  hooks = h
}

let refreshing: Promise<boolean> | null = null
function refreshOnce(): Promise<boolean> {
  refreshing ??= hooks.refresh().finally(() => {
    refreshing = null
  })
  return refreshing
}

const NO_AUTH = ['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/tenants']

const auth: Middleware = {
  onRequest({ request, schemaPath }) {
    const token = hooks.accessToken()
    if (token && !NO_AUTH.includes(schemaPath)) request.headers.set('Authorization', `Bearer ${token}`)
    request.headers.set('Accept-Language', document.documentElement.lang || 'zh-CN')
    return request
  },
}

const baseFetch = (input: Request) => globalThis.fetch(input)

/** fetch with one retry after a refresh; the original request body is cloned before sending. */
async function fetchWithRefresh(request: Request): Promise<Response> {
  const retry = request.clone()
  const res = await baseFetch(request)
  const path = new URL(request.url).pathname
  if (res.status !== 401 || NO_AUTH.includes(path) || !request.headers.has('Authorization')) return res
  if (!(await refreshOnce())) {
    hooks.expired()
    return res
  }
  retry.headers.set('Authorization', `Bearer ${hooks.accessToken()}`)
  return baseFetch(retry)
}

export const api = createClient<paths>({ baseUrl: '', fetch: fetchWithRefresh })
api.use(auth)

/** Unwrap an openapi-fetch result: the data, or throw the server's problem as an ApiError. */
export async function call<T>(
  p: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let r
  try {
    r = await p
  } catch (e) {
    throw new ApiError(0, { detail: e instanceof Error ? e.message : String(e) })
  }
  if (r.response.ok) return r.data as T
  throw new ApiError(r.response.status, r.error as Partial<Problem>)
}

/** Raw fetch for uploads and downloads that the typed client does not model (files, streams). */
export async function rawFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  const token = hooks.accessToken()
  if (token) headers.set('Authorization', `Bearer ${token}`)
  const res = await fetchWithRefresh(new Request(url, { ...init, headers }))
  if (!res.ok) {
    let problem: Partial<Problem> | undefined
    try {
      problem = await res.json()
    } catch {
      problem = undefined
    }
    throw new ApiError(res.status, problem)
  }
  return res
}
