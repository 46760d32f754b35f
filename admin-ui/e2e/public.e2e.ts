// The public page 随手拍 on a phone: a citizen opens the county's page (no login), reports with
// a photo and a point tapped on the map, and gets the tracking code; the county's staff drive
// the case to closure through the API (the department with an after-photo); the citizen looks
// the code up, sees 已办结 and the after-photo, and rates the handling — once: a second rating
// (from a page opened before the first) is refused with a clear message.
import { expect, test } from '@playwright/test'
import { shot } from './fixtures'
import { COUNTY, staff, token } from './loop'
import { smallPhoto } from './photo'

test.use({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

test('a citizen reports on the public page and follows the report to closure by its code', async ({ page, context, request }) => {
  test.setTimeout(180_000)
  const api = staff(request)
  const [acceptor, dispatcher, handler, collector] = await Promise.all(['acceptor', 'dispatcher', 'handler', 'collector'].map((u) => token(request, u)))

  await page.goto(`/h5/${COUNTY}`)
  await expect(page.getByTestId('h5-county')).toHaveText('江宁区')
  await page.getByTestId('h5-photo').setInputFiles({ name: 'snap.jpg', mimeType: 'image/jpeg', buffer: await smallPhoto(page, '垃圾', '#8d6e63') })
  await expect(page.locator('figure.thumb')).toHaveCount(1)
  await page.getByTestId('h5-map-open').click()
  const map = page.getByTestId('map')
  await expect(map).toHaveAttribute('data-rendered', /\d+/)
  const box = (await map.boundingBox())!
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  await expect(page.getByTestId('h5-point')).toContainText('已在地图上选点')
  await page.getByTestId('h5-class-garbage').click()
  const description = `e2e 随手拍 小区门口垃圾 ${Date.now()}`
  await page.getByTestId('h5-description').fill(description)
  await page.getByTestId('h5-contact').fill('13800000000')
  await shot(page, 'h5-report')
  await page.getByTestId('h5-submit').click()
  const code = (await page.getByTestId('h5-code').textContent())!.trim()
  expect(code).toMatch(/^UG[0-9A-Z]{10}$/)
  await expect(page.getByTestId('h5-state')).toHaveText('已收到')
  await shot(page, 'h5-code')

  // The county's staff: verification, filing, dispatch, handling with an after-photo, check, close.
  const [c] = await api.byDescription(acceptor, description, '&source=public')
  expect(c.state).toBe('reported')
  const dept = (await api.get(handler, '/api/v1/me')).user.department_id
  await api.act(acceptor, c.id, { action: 'send_verification' })
  await api.act(collector, c.id, { action: 'verify', found: true })
  await api.act(acceptor, c.id, { action: 'file', class_code: '06010' })
  await api.act(dispatcher, c.id, { action: 'dispatch', department: dept })
  const after = await api.upload(handler, await smallPhoto(page, '已清理'))
  await api.act(handler, c.id, { action: 'handle', note: '已清运', photos: [after] })
  await api.act(acceptor, c.id, { action: 'send_check' })
  await api.act(collector, c.id, { action: 'check', passed: true })
  await api.act(acceptor, c.id, { action: 'close' })

  // The citizen looks the code up from the county's page.
  await page.goto(`/h5/${COUNTY}`)
  await page.getByTestId('h5-lookup').fill(code.toLowerCase())
  await page.getByTestId('h5-lookup-go').click()
  await expect(page.getByTestId('h5-state')).toHaveText('已办结')
  const img = page.getByTestId('h5-after-photos').locator('img')
  await expect(img).toHaveCount(1)
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(640)
  // A second page, opened before the rating, to try rating twice.
  const stale = await context.newPage()
  await stale.goto(`/h5/${COUNTY}/${code}`)
  await expect(stale.getByTestId('h5-rate')).toBeVisible()
  await page.getByTestId('h5-star-5').click()
  await page.getByTestId('h5-comment').fill('处理很及时，谢谢')
  await shot(page, 'h5-status')
  await page.getByTestId('h5-rate-submit').click()
  await expect(page.getByTestId('h5-rated')).toContainText('感谢您的评价')
  const rated = await api.get(acceptor, `/api/v1/tenants/${COUNTY}/cases/${c.id}`)
  expect(rated.satisfaction).toBe(5)
  await stale.getByTestId('h5-star-1').click()
  await stale.getByTestId('h5-rate-submit').click()
  await expect(stale.getByTestId('h5-rate-error')).toHaveText('这个问题已经评价过了，每个问题只能评价一次。')
  expect((await api.get(acceptor, `/api/v1/tenants/${COUNTY}/cases/${c.id}`)).satisfaction).toBe(5)
  await shot(page, 'h5-rated')

  // Another county does not know the code.
  await page.goto(`/h5/320102/${code}`)
  await expect(page.getByTestId('h5-status-error')).toHaveText('没有找到这个追踪码，请核对后再查。')

  // English is complete too.
  await page.goto(`/h5/${COUNTY}/${code}`)
  await page.getByRole('button', { name: 'EN' }).click()
  await expect(page.getByTestId('h5-state')).toHaveText('Resolved')
  await shot(page, 'h5-status-en')
})
