// The closed loop by four people in turn, each in the screen they work in all day: the collector
// reports on the phone with a photo (and one more without network, sent once on reconnect); the
// supervision centre accepts and files it; the command centre dispatches it to the suggested
// department; that department — whose handler sees the task arrive in the bell — handles it with
// a photo; the collector checks it on the phone; the centre closes it. Then the county finds it
// behind a number of its evaluation and opens it from there.
import { expect, test, type Browser, type Page } from '@playwright/test'
import { login, shot } from './fixtures'
import { COUNTY, staff, token } from './loop'
import { fillReport, mLogin, phone } from './phone'
import { smallPhoto } from './photo'

const WELL = { search: '井盖异常', code: '01001' } // 供水井盖异常 → 市政设施管理处 by the demo's 权责清单

async function desk(browser: Browser, username: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })).newPage()
  await login(page, COUNTY, username)
  return page
}

async function pick(page: Page, queue: string, tab: string, number: string) {
  await page.goto(`/#/workbench/${queue}?tab=${tab}`)
  const link = page.getByTestId(`case-${number}`)
  await expect(link).toBeVisible({ timeout: 15_000 })
  await link.locator('xpath=ancestor::tr').locator('td').nth(3).click()
  await expect(page.getByTestId('panel-number')).toHaveText(number)
}

test('a case goes round the whole loop by four people in turn and is found in the evaluation', async ({ browser, request }) => {
  test.setTimeout(300_000)
  const api = staff(request)
  const collectorToken = await token(request, 'collector')
  const [lon, lat] = await api.point(collectorToken)
  const run = Date.now()

  // The department's handler has the console open; the bell will tell of the task.
  const dept = await desk(browser, 'handler')
  const badge = dept.getByTestId('notification-badge')
  await expect(badge).toHaveAttribute('data-unread', /\d+/)
  const unreadBefore = Number(await badge.getAttribute('data-unread'))

  // 1. The collector, on the phone: a report with a photo, and one made without network.
  const ctx = await phone(browser, { longitude: lon, latitude: lat }, 'block')
  const m = await ctx.newPage()
  await mLogin(m)
  await m.getByTestId('m-login-submit').click()
  await expect(m.getByTestId('m-tabs')).toBeVisible()
  const text = `井盖破损 全流程 ${run}`
  await fillReport(m, text, await smallPhoto(m, '井盖', '#607d8b'), WELL)
  await m.getByTestId('m-submit').click()
  await expect(m.getByTestId('m-sent-item').filter({ hasText: text })).toBeVisible()
  await ctx.setOffline(true)
  const offline = `井盖破损 离线补报 ${run}`
  await fillReport(m, offline, await smallPhoto(m, '离线'), WELL)
  await m.getByTestId('m-submit').click()
  await expect(m.getByTestId('m-queued-item').filter({ hasText: offline })).toContainText('待发送')
  await ctx.setOffline(false)
  await expect(m.getByTestId('m-sent-item').filter({ hasText: offline })).toBeVisible({ timeout: 40_000 })
  expect(await api.byDescription(collectorToken, offline), 'the offline report, created exactly once').toHaveLength(1)
  const [c] = await api.byDescription(collectorToken, text)
  const number = (await api.get(collectorToken, `/api/v1/tenants/${COUNTY}/cases/${c.id}`)).number as string

  // 2. The supervision centre accepts it and files it (class and 立案条件 shown).
  const centre = await desk(browser, 'acceptor')
  await pick(centre, 'intake', 'new', number)
  await expect(centre.getByTestId('case-panel')).toContainText(text)
  await centre.keyboard.press('a')
  await expect(centre.getByTestId(`case-${number}`)).toHaveCount(0)
  await pick(centre, 'intake', 'accepted', number)
  await centre.keyboard.press('f')
  await expect(centre.getByTestId('filing-condition')).toContainText('立案条件')
  await centre.keyboard.press('Control+Enter')
  await expect(centre.getByTestId(`case-${number}`)).toHaveCount(0)

  // 3. The command centre dispatches it to the suggested department.
  const command = await desk(browser, 'dispatcher')
  await pick(command, 'dispatch', 'filed', number)
  await command.keyboard.press('d')
  await expect(command.getByTestId('suggestion')).toContainText('市政设施管理处')
  await expect(command.getByTestId('department-select')).toContainText('市政设施管理处')
  await command.keyboard.press('Control+Enter')
  await expect(command.getByTestId(`case-${number}`)).toHaveCount(0)

  // 4. The department: the task is in the bell; it handles the case with an after-photo.
  await dept.bringToFront()
  await expect.poll(async () => Number(await badge.getAttribute('data-unread')), { timeout: 25_000 }).toBeGreaterThan(unreadBefore)
  await dept.getByTestId('notification-bell').click()
  const notice = dept.getByTestId('notification-drawer').locator(`[data-testid="notification-item"][data-case="${c.id}"]`)
  await expect(notice).toContainText(number)
  await shot(dept, 'journey-bell')
  await notice.click()
  await expect(dept).toHaveURL(new RegExp(`#/cases/${c.id}`))
  await pick(dept, 'tasks', 'mine', number)
  await dept.getByTestId('case-panel').getByTestId('action-handle').click()
  await dept.getByTestId('field-note').locator('textarea').fill('已更换井盖')
  await dept.getByTestId('photo-input').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await smallPhoto(dept, '处置后') })
  await expect(dept.getByTestId('field-photos')).toContainText('已上传 1 张')
  await dept.getByTestId('action-submit').click()
  await expect(dept.getByTestId(`case-${number}`)).toHaveCount(0)

  // 5. The centre sends it for check; the collector checks it on the phone.
  await pick(centre, 'intake', 'closing', number)
  await centre.keyboard.press('s')
  await expect(centre.getByTestId('case-panel').getByTestId('state-checking')).toBeVisible()
  await m.getByTestId('m-tab-check').click()
  const task = m.getByTestId('m-task').filter({ hasText: text })
  await task.getByRole('link', { name: '去核查' }).click()
  await expect(m.getByTestId('m-case').locator('.photos img')).toHaveCount(2)
  await shot(m, 'journey-m-check')
  await m.getByTestId('m-check-yes').click()
  await expect(m).toHaveURL(/\/m\/tasks\/check/)
  await ctx.close()

  // 6. The centre closes it (结案条件 shown).
  await pick(centre, 'intake', 'closing', number)
  await expect(centre.getByTestId('case-panel').getByTestId('state-checked')).toBeVisible()
  await centre.keyboard.press('x')
  await expect(centre.getByTestId('closing-condition')).toBeVisible()
  await centre.getByTestId('action-submit').click()
  await expect(centre.getByTestId(`case-${number}`)).toHaveCount(0)

  // 7. The county's evaluation: the case is behind the department's 结案数, one click from its page.
  const admin = await desk(browser, 'admin')
  await admin.goto('/#/evaluation?subject=department')
  const row = admin.getByTestId('ranking').locator('tbody tr', { hasText: '市政设施管理处' })
  await row.getByTestId('cell-closed').click()
  const drill = admin.getByTestId('drill')
  await expect(drill.getByTestId('drill-case').filter({ hasText: number })).toBeVisible()
  await shot(admin, 'journey-evaluation')
  await drill.getByTestId('drill-case').filter({ hasText: number }).click()
  await expect(admin).toHaveURL(new RegExp(`#/cases/${c.id}`))
  await expect(admin.getByTestId('case-number')).toHaveText(number)
  for (const action of ['report', 'accept', 'file', 'dispatch', 'handle', 'send_check', 'check', 'close']) {
    await expect(admin.getByTestId(`event-${action}`).first()).toBeVisible()
  }
  await expect(admin.getByTestId('chain')).toContainText('校验通过')
  await shot(admin, 'journey-case')
})
