// The dashboards and the bell against the full demo (3,000 cases over 90 days): the county
// dashboard shows the API's figures and draws the open cases, the city compares its counties,
// the big screen fills 1920×1080, and a department's handler sees a dispatch arrive in the bell
// and clicks through to the case.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { DEMO_PASSWORD, login, shot } from './fixtures'

const COUNTY = '320115'
const CITY = '320100'

async function token(request: APIRequestContext, tenant: string, username: string): Promise<string> {
  const r = await request.post('/api/v1/auth/login', { data: { tenant_code: tenant, username, password: DEMO_PASSWORD } })
  expect(r.ok(), `login ${tenant}/${username}`).toBeTruthy()
  return (await r.json()).access_token as string
}

async function get(request: APIRequestContext, path: string, bearer: string) {
  const r = await request.get(path, { headers: { Authorization: `Bearer ${bearer}` } })
  expect(r.ok(), `${path}: ${r.status()} ${r.ok() ? '' : await r.text()}`).toBeTruthy()
  return r.json()
}

async function post(request: APIRequestContext, path: string, bearer: string, data: unknown) {
  const r = await request.post(path, { headers: { Authorization: `Bearer ${bearer}` }, data })
  expect(r.ok(), `${path}: ${r.status()} ${await r.text()}`).toBeTruthy()
  return r.json()
}

async function kpi(page: Page, period: string, key: string) {
  return (await page.getByTestId(`kpi-${period}-${key}`).locator('.value').innerText()).trim()
}

test('the county dashboard shows the figures of the API and draws the open cases', async ({ page, request }) => {
  const bearer = await token(request, COUNTY, 'dispatcher')
  await login(page, COUNTY, 'dispatcher')
  const started = Date.now()
  await page.goto('/#/dashboard')
  const map = page.getByTestId('dashboard-map')
  await expect(page.getByTestId('kpis-month')).toBeVisible()
  await expect(map).toHaveAttribute('data-rendered', /\d+/, { timeout: 15_000 })
  const rendered = Date.now() - started
  console.log(`dashboard (county, full demo): figures and map drawn ${rendered} ms after navigation`)

  let t0 = Date.now()
  const d = await get(request, `/api/v1/tenants/${COUNTY}/dashboard`, bearer)
  const dashboardMs = Date.now() - t0
  t0 = Date.now()
  const p = await get(request, `/api/v1/tenants/${COUNTY}/cases/points`, bearer)
  console.log(`API: dashboard ${dashboardMs} ms, cases/points ${Date.now() - t0} ms`)
  console.log(`cases/points: ${p.count} open cases, ${JSON.stringify(p).length} bytes`)
  expect(d.month.total.reported).toBeGreaterThan(0)
  expect(await kpi(page, 'month', 'reported')).toBe(String(d.month.total.reported))
  expect(await kpi(page, 'month', 'filed')).toBe(String(d.month.total.filed))
  expect(await kpi(page, 'month', 'closed')).toBe(String(d.month.total.closed))
  expect(await kpi(page, 'today', 'reported')).toBe(String(d.today.total.reported))
  expect(await kpi(page, 'month', 'openNow')).toBe(String(d.month.total.open_now))
  expect(p.count).toBeGreaterThan(0)
  await expect(page.getByTestId('dashboard')).toContainText(String(p.count))
  await expect(page.getByTestId('sources-table').locator('tbody tr')).toHaveCount(d.month.by_source.length)
  await shot(page, 'dashboard-county')
  await page.locator('.main').evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await page.waitForTimeout(300)
  await shot(page, 'dashboard-county-lower')
})

test('the city compares its counties side by side', async ({ page, request }) => {
  const bearer = await token(request, CITY, 'oversight')
  await login(page, CITY, 'oversight')
  await page.goto('/#/dashboard')
  const table = page.getByTestId('counties-table')
  await expect(table).toBeVisible()
  const d = await get(request, `/api/v1/tenants/${CITY}/dashboard`, bearer)
  expect(d.counties.length).toBe(2)
  for (const c of d.counties) await expect(table).toContainText(c.name)
  expect(await kpi(page, 'month', 'reported')).toBe(String(d.month.total.reported))
  await expect(page.getByTestId('dashboard-map')).toHaveAttribute('data-rendered', /\d+/, { timeout: 15_000 })
  await shot(page, 'dashboard-city')
  await page.locator('.main').evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await page.waitForTimeout(300)
  await shot(page, 'dashboard-city-lower')
})

for (const [tenant, user, name] of [[COUNTY, 'dispatcher', 'bigscreen-county'], [CITY, 'oversight', 'bigscreen-city']] as const) {
  test(`the big screen fills 1920×1080 (${name})`, async ({ page }) => {
    await page.setViewportSize({ width: 1920, height: 1080 })
    await login(page, tenant, user)
    await page.goto('/#/dashboard')
    await page.getByTestId('open-bigscreen').click()
    await expect(page).toHaveURL(/#\/bigscreen/)
    await expect(page.getByTestId('bigscreen-title')).toBeVisible()
    await expect(page.getByTestId('side-menu')).toHaveCount(0)
    await expect(page.getByTestId('kpis-today')).toBeVisible()
    await expect(page.getByTestId('bigscreen-map')).toHaveAttribute('data-rendered', /\d+/, { timeout: 15_000 })
    if (tenant === CITY) await expect(page.getByTestId('bigscreen-ranking')).toContainText('江宁区')
    // Nothing scrolls: the stage is exactly the screen.
    const size = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight])
    expect(size).toEqual([1920, 1080])
    await page.waitForTimeout(500)
    await page.screenshot({ path: `test-results/shots/${name}.png` })
  })
}

test('a department handler sees a dispatch arrive in the bell and opens the case', async ({ page, request }) => {
  const collector = await token(request, COUNTY, 'collector')
  const acceptor = await token(request, COUNTY, 'acceptor')
  const dispatcher = await token(request, COUNTY, 'dispatcher')
  const handler = await token(request, COUNTY, 'handler')
  const dept = (await get(request, '/api/v1/me', handler)).user.department_id as string

  await login(page, COUNTY, 'handler')
  const badge = page.getByTestId('notification-badge')
  await expect(badge).toHaveAttribute('data-unread', /\d+/)
  const before = Number(await badge.getAttribute('data-unread'))

  const grids = await get(request, `/api/v1/tenants/${COUNTY}/grids?limit=1`, collector)
  const [x0, y0, x1, y1] = grids.items[0].bbox as number[]
  const cases = `/api/v1/tenants/${COUNTY}/cases`
  const c = await post(request, cases, collector, { kind: 'matter', class_code: '06010', description: '路边暴露垃圾（通知测试）', lon: (x0 + x1) / 2, lat: (y0 + y1) / 2 })
  await post(request, `${cases}/${c.id}/actions`, acceptor, { action: 'accept' })
  await post(request, `${cases}/${c.id}/actions`, acceptor, { action: 'file', class_code: '06010' })
  await post(request, `${cases}/${c.id}/actions`, dispatcher, { action: 'dispatch', department: dept })

  // The bell polls every 15 s (and on focus): the count rises without a reload.
  await expect.poll(async () => Number(await badge.getAttribute('data-unread')), { timeout: 25_000 }).toBeGreaterThan(before)
  await page.getByTestId('notification-bell').click()
  const drawer = page.getByTestId('notification-drawer')
  const item = drawer.locator(`[data-testid="notification-item"][data-case="${c.id}"]`)
  await expect(item).toBeVisible()
  await expect(item).toContainText(c.number)
  await expect(item).toContainText('已派遣至本部门')
  // The drawer slides in: shoot once it stands still.
  await page.waitForTimeout(600)
  await shot(page, 'notifications')
  await item.click()
  await expect(page).toHaveURL(new RegExp(`#/cases/${c.id}`))
  const n = await get(request, `/api/v1/tenants/${COUNTY}/notifications?limit=50`, handler)
  expect(n.items.find((x: { case_id: string }) => x.case_id === c.id).read_at).not.toBeNull()
})
