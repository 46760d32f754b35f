// Browser measurements of the case-loop screens (BENCHMARKS.md), in Debian's Chromium against a
// running `urbangrid serve --demo` (full demo: 1,500 cases per county with their history):
//   node bench/workbench.mjs http://127.0.0.1:8080 [runs]
// For each workbench list, 案件查询, the county dashboard and the evaluation table: the time from
// navigation (the shell already loaded) until the list is rendered with no loading mask. Then the
// time from a report's acknowledgement to its row in an open 受理台 (the live feed).
import { chromium } from 'playwright-core'

const base = (process.argv[2] ?? 'http://127.0.0.1:8080').replace(/\/$/, '')
const runs = Number(process.argv[3] ?? 5)
const password = process.env.URBANGRID_DEMO_PASSWORD ?? 'Demo-Users-2026!'
const county = '320115'
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function token(username) {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant_code: county, username, password }) })
  if (!r.ok) throw new Error(`login ${username}: ${r.status}`)
  return (await r.json()).access_token
}

async function desk(browser, username) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const page = await context.newPage()
  await page.goto(`${base}/#/login`)
  await page.getByTestId('tenant').click()
  const searched = page.waitForResponse((r) => r.url().includes('/api/v1/auth/tenants') && r.url().includes(`q=${county}`))
  await page.keyboard.type(county)
  await searched
  await page.locator('.el-select-dropdown__item', { hasText: county }).first().click()
  await page.getByTestId('username').fill(username)
  await page.getByTestId('password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('side-menu').waitFor()
  return page
}

/** ms from navigating to `hash` until `ready` holds and no loading mask is left. */
async function timed(page, hash, ready) {
  await page.goto(`${base}/#/profile`)
  await page.waitForLoadState('networkidle')
  const t0 = Date.now()
  await page.goto(`${base}/#${hash}`)
  await ready(page)
  await page.locator('.el-loading-mask').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => {})
  return Date.now() - t0
}

const queue = (tab) => async (page) => {
  await page.getByTestId(`queue-${tab}`).locator('.el-table__body-wrapper tbody tr, .el-table__empty-block').first().waitFor({ timeout: 30_000 })
}
const screens = [
  ['acceptor', '受理台 待受理', '/workbench/intake?tab=new', queue('new')],
  ['acceptor', '受理台 待核查结案', '/workbench/intake?tab=closing', queue('closing')],
  ['dispatcher', '派遣台 待派遣', '/workbench/dispatch?tab=filed', queue('filed')],
  ['dispatcher', '审批 延期', '/workbench/approvals?tab=extension', queue('extension')],
  ['handler', '我的任务', '/workbench/tasks?tab=mine', queue('mine')],
  ['handler', '可认领', '/workbench/tasks?tab=claimable', queue('claimable')],
  ['acceptor', '案件查询', '/cases', async (p) => p.getByTestId('case-search-list').locator('tbody tr').first().waitFor({ timeout: 30_000 })],
  ['dispatcher', '综合看板', '/dashboard', async (p) => {
    await p.getByTestId('kpis-month').waitFor({ timeout: 30_000 })
    await p.locator('[data-testid="dashboard-map"][data-rendered]').waitFor({ timeout: 30_000 })
  }],
  ['admin', '绩效评价 (部门, 本月)', '/evaluation?subject=department', async (p) => p.getByTestId('ranking').locator('tbody tr').first().waitFor({ timeout: 30_000 })],
]

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args })
const pages = new Map()
for (const [user, name, hash, ready] of screens) {
  if (!pages.has(user)) pages.set(user, await desk(browser, user))
  const page = pages.get(user)
  const xs = []
  for (let i = 0; i < runs; i++) xs.push(await timed(page, hash, ready))
  console.log(`${name}: median ${median(xs)} ms (runs: ${xs.join(', ')})`)
}

// The live feed: a report reaches an open 受理台.
const centre = pages.get('acceptor')
await centre.goto(`${base}/#/workbench/intake?tab=new`)
await queue('new')(centre)
await centre.locator('[data-testid="live"].on').waitFor({ timeout: 15_000 })
const collector = await token('collector')
const grids = await (await fetch(`${base}/api/v1/tenants/${county}/grids?limit=1`, { headers: { authorization: `Bearer ${collector}` } })).json()
const [x0, y0, x1, y1] = grids.items[0].bbox
const arrivals = []
for (let i = 0; i < runs; i++) {
  const r = await fetch(`${base}/api/v1/tenants/${county}/cases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${collector}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify({ kind: 'matter', class_code: '06010', description: `bench 实时到达 ${Date.now()}`, lon: (x0 + x1) / 2, lat: (y0 + y1) / 2 }),
  })
  const acknowledged = Date.now()
  const c = await r.json()
  await centre.getByTestId(`case-${c.number}`).waitFor({ timeout: 10_000 })
  arrivals.push(Date.now() - acknowledged)
}
console.log(`report → open 受理台: median ${median(arrivals)} ms (runs: ${arrivals.join(', ')})`)
await browser.close()
