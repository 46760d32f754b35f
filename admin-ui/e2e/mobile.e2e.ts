// The collector's mobile web on a phone (390 × 844, touch, geolocation inside 江宁区): log in
// on /m/, report with a camera photo (a generated 4 MB JPEG, stored under 500 KB), see it in
// 我的上报; report without network (待发送), get it sent once on reconnect; a lost answer resent
// with the same key stays one case; a verification task and a check task done on the phone,
// the other roles acting through the API. A second test installs the PWA's service worker and
// opens the app without network from its cache.
import { expect, test, type BrowserContext } from '@playwright/test'
import { shot } from './fixtures'
import { fillReport, mLogin, phone } from './phone'
import { COUNTY, staff, token } from './loop'
import { cameraPhoto, smallPhoto } from './photo'

test('the collector reports on the phone, offline too, and does the verification and check tasks', async ({ browser, request }) => {
  test.setTimeout(240_000)
  const api = staff(request)
  const [collector, acceptor, dispatcher, handler] = await Promise.all(['collector', 'acceptor', 'dispatcher', 'handler'].map((u) => token(request, u)))
  const [lon, lat] = await api.point(collector)
  const context: BrowserContext = await phone(browser, { longitude: lon, latitude: lat }, 'block')
  const page = await context.newPage()
  const run = Date.now()

  await mLogin(page)
  await shot(page, 'm-login')
  await page.getByTestId('m-login-submit').click()
  await expect(page.getByTestId('m-tabs')).toBeVisible()

  // 1. A report with a 4 MB camera photo, shrunk on the phone.
  const photo = await cameraPhoto(page)
  const first = `e2e 巡查上报 ${run}`
  await fillReport(page, first, photo)
  await shot(page, 'm-report')
  await page.getByRole('button', { name: 'EN' }).click()
  await expect(page.getByTestId('m-submit')).toHaveText('Report')
  await shot(page, 'm-report-en')
  await page.getByRole('button', { name: '中' }).click()
  const uploaded = page.waitForResponse((r) => r.url().endsWith(`/api/v1/tenants/${COUNTY}/photos`) && r.request().method() === 'POST')
  await page.getByTestId('m-submit').click()
  const stored = await (await uploaded).json()
  await expect(page.getByTestId('m-sent-item').filter({ hasText: first })).toBeVisible()
  const [mine] = await api.byDescription(collector, first)
  expect(mine, 'the report is on the server').toBeTruthy()
  const detail = await api.get(collector, `/api/v1/tenants/${COUNTY}/cases/${mine.id}`)
  const photoId = detail.timeline[0].payload.photos[0]
  const bytes = (await (await request.get(`/api/v1/tenants/${COUNTY}/cases/${mine.id}/photos/${photoId}`, { headers: { Authorization: `Bearer ${collector}` } })).body()).length
  console.log(`PHOTO-SIZE camera=${photo.length} bytes stored=${bytes} bytes (upload answered size=${stored.size})`)
  expect(photo.length).toBeGreaterThan(3_500_000)
  expect(bytes).toBeLessThan(500 * 1024)
  expect(bytes).toBe(stored.size)

  // 2. Without network: kept on the phone as 待发送, sent once when the network returns.
  await context.setOffline(true)
  const second = `e2e 离线上报 ${run}`
  await fillReport(page, second, await smallPhoto(page, '离线'))
  await page.getByTestId('m-submit').click()
  const queued = page.getByTestId('m-queued-item').filter({ hasText: second })
  await expect(queued).toContainText('待发送')
  await expect(page.getByTestId('m-offline')).toBeVisible()
  await shot(page, 'm-queue')
  expect(await api.byDescription(collector, second)).toHaveLength(0)
  await context.setOffline(false)
  await expect(queued).toHaveCount(0, { timeout: 40_000 })
  await expect(page.getByTestId('m-sent-item').filter({ hasText: second })).toBeVisible()
  expect(await api.byDescription(collector, second), 'created exactly once').toHaveLength(1)

  // 3. The answer is lost after the server stored the report: the resend (same key) is replayed.
  const third = `e2e 应答丢失 ${run}`
  let lost = false
  let answerLost: () => void = () => {}
  const wasLost = new Promise<void>((resolve) => (answerLost = resolve))
  await page.route(`**/api/v1/tenants/${COUNTY}/cases`, async (route) => {
    if (route.request().method() === 'POST' && !lost) {
      lost = true
      await route.fetch()
      await route.abort('connectionreset')
      answerLost()
    } else await route.continue()
  })
  await fillReport(page, third)
  await page.getByTestId('m-submit').click()
  await wasLost
  await expect(page.getByTestId('m-queued-item').filter({ hasText: third })).toContainText('待发送')
  expect(await api.byDescription(collector, third), 'stored before the answer was lost').toHaveLength(1)
  const replay = page.waitForResponse((r) => r.url().endsWith(`/api/v1/tenants/${COUNTY}/cases`) && r.request().method() === 'POST')
  await page.getByTestId('m-sync').click()
  expect((await replay).headers()['idempotent-replayed']).toBe('true')
  await expect(page.getByTestId('m-queued-item')).toHaveCount(0)
  expect(await api.byDescription(collector, third), 'the resend created nothing').toHaveLength(1)
  await page.unroute(`**/api/v1/tenants/${COUNTY}/cases`)

  // 自处置: fixed on the spot, with photos before and after.
  const fixed = `e2e 自处置 ${run}`
  await page.getByTestId('m-tab-m-self').click()
  await expect(page.getByTestId('m-position')).toContainText('已定位')
  await page.getByTestId('m-photo').setInputFiles({ name: 'before.jpg', mimeType: 'image/jpeg', buffer: await smallPhoto(page, '处置前', '#8d6e63') })
  await page.getByTestId('m-photo-after').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await smallPhoto(page, '处置后') })
  await expect(page.locator('figure.thumb')).toHaveCount(2)
  await page.getByTestId('m-class').click()
  await page.getByTestId('m-class-search').fill('06010')
  await expect(page.getByTestId('m-class-06010')).toContainText('最近')
  await page.getByTestId('m-class-06010').click()
  await page.getByTestId('m-description').fill(fixed)
  await page.getByTestId('m-submit').click()
  await expect(page.getByTestId('m-sent-item').filter({ hasText: fixed })).toBeVisible()
  const [self] = await api.byDescription(collector, fixed)
  expect(self.state).toBe('self_handled')
  await shot(page, 'm-my-reports')

  // 4. A verification task: a hotline report at the point, sent for verification.
  const hotline = `e2e 热线待核实 ${run}`
  const h = await api.create(acceptor, { source: 'hotline', kind: 'matter', class_code: '09006', description: hotline, lon, lat, crs: 'wgs84' })
  await api.act(acceptor, h.id, { action: 'send_verification' })
  await page.getByTestId('m-tab-verify').click()
  const task = page.getByTestId('m-task').filter({ hasText: hotline })
  await expect(task).toBeVisible()
  await expect(task.getByTestId('m-navigate')).toHaveAttribute('href', /^geo:\d+\.\d+,\d+\.\d+/)
  await shot(page, 'm-tasks')
  await task.getByRole('link', { name: '去核实' }).click()
  await page.getByTestId('m-task-photo').setInputFiles({ name: 'site.jpg', mimeType: 'image/jpeg', buffer: await smallPhoto(page, '核实') })
  await page.getByTestId('m-task-note').fill('现场属实')
  await page.getByTestId('m-verify-yes').click()
  await expect(page).toHaveURL(/\/m\/tasks\/verify/)
  const verified = await api.get(acceptor, `/api/v1/tenants/${COUNTY}/cases/${h.id}`)
  expect(verified.state).toBe('accepted')
  expect(verified.timeline.at(-1).payload.photos).toHaveLength(1)

  // 5. A check task: the first report accepted, filed, dispatched and handled by the others.
  const dept = (await api.get(handler, '/api/v1/me')).user.department_id
  await api.act(acceptor, mine.id, { action: 'accept' })
  await api.act(acceptor, mine.id, { action: 'file', class_code: '06010' })
  await api.act(dispatcher, mine.id, { action: 'dispatch', department: dept })
  await api.act(handler, mine.id, { action: 'handle', note: '已清运', photos: [await api.upload(handler, await smallPhoto(page, '处置后'))] })
  await api.act(acceptor, mine.id, { action: 'send_check' })
  await page.getByTestId('m-tab-check').click()
  const check = page.getByTestId('m-task').filter({ hasText: first })
  await check.getByRole('link', { name: '去核查' }).click()
  await expect(page.getByTestId('m-case').locator('.photos img')).toHaveCount(2)
  await page.getByTestId('m-check-yes').click()
  await expect(page).toHaveURL(/\/m\/tasks\/check/)
  expect((await api.get(acceptor, `/api/v1/tenants/${COUNTY}/cases/${mine.id}`)).state).toBe('checked')
  await context.close()
})

test('the mobile web installs its service worker and opens without network from the cache', async ({ browser, request }) => {
  const api = staff(request)
  const [lon, lat] = await api.point(await token(request, 'collector'))
  const context = await phone(browser, { longitude: lon, latitude: lat }, 'allow')
  const page = await context.newPage()
  await mLogin(page)
  const manifest = await page.evaluate(() => document.querySelector('link[rel=manifest]')?.getAttribute('href'))
  expect(manifest).toBe('/m/manifest.webmanifest')
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)
  expect(scope).toMatch(/\/m\/$/)
  await page.getByTestId('m-login-submit').click()
  await expect(page.getByTestId('m-tabs')).toBeVisible()
  await expect.poll(() => page.evaluate(async () => !!(await caches.open('urbangrid-m-shell-v1').then((c) => c.match('/m/'))))).toBe(true)
  await context.setOffline(true)
  await page.reload()
  await expect(page.getByTestId('m-tabs')).toBeVisible()
  await expect(page.getByTestId('m-offline')).toBeVisible()
  await context.close()
})
