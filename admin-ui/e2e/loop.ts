// Driving the case loop through the API with the demo's staff, for the journeys that follow one
// role in the browser while the others act behind the scenes.
import { expect, type APIRequestContext } from '@playwright/test'
import { DEMO_PASSWORD } from './fixtures'

export const COUNTY = '320115'

export async function token(request: APIRequestContext, username: string, tenant = COUNTY): Promise<string> {
  const r = await request.post('/api/v1/auth/login', { data: { tenant_code: tenant, username, password: DEMO_PASSWORD } })
  expect(r.status(), `login ${username}`).toBe(200)
  return (await r.json()).access_token
}

export function staff(request: APIRequestContext) {
  const auth = (t: string) => ({ Authorization: `Bearer ${t}` })
  return {
    async get(t: string, path: string) {
      const r = await request.get(path, { headers: auth(t) })
      expect(r.status(), path).toBe(200)
      return r.json()
    },
    async act(t: string, id: string, body: Record<string, unknown>) {
      const r = await request.post(`/api/v1/tenants/${COUNTY}/cases/${id}/actions`, { headers: auth(t), data: body })
      expect(r.status(), `${JSON.stringify(body)}: ${await r.text()}`).toBe(200)
      return r.json()
    },
    async create(t: string, body: Record<string, unknown>) {
      const r = await request.post(`/api/v1/tenants/${COUNTY}/cases`, { headers: auth(t), data: body })
      expect(r.status(), await r.text()).toBe(201)
      return r.json()
    },
    async upload(t: string, bytes: Buffer) {
      const r = await request.post(`/api/v1/tenants/${COUNTY}/photos`, { headers: { ...auth(t), 'Content-Type': 'application/octet-stream' }, data: bytes })
      expect(r.status()).toBe(201)
      return (await r.json()).id as string
    },
    /** Every case the caller sees whose description is `text` (the work list of the last day). */
    async byDescription(t: string, text: string, query = '') {
      const from = new Date(Date.now() - 86400_000).toISOString()
      const list = await this.get(t, `/api/v1/tenants/${COUNTY}/cases?limit=500&from=${encodeURIComponent(from)}${query}`)
      return (list.items as { id: string; description: string; state: string }[]).filter((c) => c.description === text)
    },
    /** The centre of a unit grid in the middle of the county (inside its grids and a collector's duty grid). */
    async point(t: string): Promise<[number, number]> {
      const g = await this.get(t, `/api/v1/tenants/${COUNTY}/grids?limit=300`)
      const items = g.items as { bbox: number[] }[]
      const b = items[Math.floor(items.length / 2)].bbox
      return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]
    },
  }
}

