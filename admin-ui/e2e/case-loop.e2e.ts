// The closed loop through the workbenches, by the county's staff in turn: a collector's report
// (sent through the API — the mobile web is its own journey) arrives in the open 受理台 without a
// reload; the centre accepts and files it from the keyboard (class and 立案条件 shown); the command
// centre dispatches it to the suggested department (preselected); that department handles it
// with a photo; the collector checks it (API); the centre closes it; the case page shows the whole
// history and a verified chain. Then a return, an extension, a rework and a claim.
import { expect, test, type Browser, type Page } from '@playwright/test'
import { DEMO_PASSWORD, login, shot } from './fixtures'

const COUNTY = '320115'
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')

let base = ''
test.beforeEach(({ baseURL }) => { base = baseURL ?? '' })

async function token(username: string): Promise<string> {
  const r = await fetch(`${base}api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant_code: COUNTY, username, password: DEMO_PASSWORD }),
  })
  expect(r.status, `login ${username}`).toBe(200)
  return ((await r.json()) as { access_token: string }).access_token
}

async function apiCall(tok: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${base}api/v1/tenants/${COUNTY}${path}`, {
    method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
  })
  const text = await r.text()
  expect(r.ok, `${method} ${path}: ${text}`).toBe(true)
  return JSON.parse(text)
}

/** The centre of the county's n-th unit grid (where the demo collector patrols). */
async function gridPoint(tok: string, n = 0): Promise<[number, number]> {
  const g = await apiCall(tok, 'GET', `/grids?limit=${n + 1}`)
  const b = g.items[n].bbox as number[]
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]
}

async function report(collector: string, description: string, n = 0) {
  const [lon, lat] = await gridPoint(collector, n)
  const body = { kind: 'matter', class_code: '01001', description, lon, lat }
  const r = await fetch(`${base}api/v1/tenants/${COUNTY}/cases`, {
    method: 'POST', headers: { authorization: `Bearer ${collector}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() }, body: JSON.stringify(body),
  })
  expect(r.status).toBe(201)
  const acknowledged = Date.now()
  return { ...((await r.json()) as { id: string; number: string }), acknowledged }
}

async function as(browser: Browser, username: string): Promise<Page> {
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await login(page, COUNTY, username)
  return page
}

/** Opens a workbench queue and waits until its list has rendered; logs how long that took. */
async function openQueue(page: Page, path: string, tab: string, label: string) {
  const started = Date.now()
  await page.goto(`/#/workbench/${path}?tab=${tab}`)
  await expect(page.getByTestId(`queue-${tab}`)).toBeVisible()
  await expect(page.getByTestId(`queue-${tab}`).locator('.el-table__body-wrapper, .el-table__empty-block').first()).toBeVisible()
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  const inPage = await page.evaluate(() => (window as unknown as { __ugListMs?: Record<string, number> }).__ugListMs)
  console.log(`[bench] ${label} list rendered in ${Date.now() - started} ms (request to rendered frame: ${JSON.stringify(inPage)})`)
}

async function pickRow(page: Page, number: string) {
  const link = page.getByTestId(`case-${number}`)
  await expect(link).toBeVisible()
  await link.locator('xpath=ancestor::tr').locator('td').nth(3).click()
  await expect(page.getByTestId('panel-number')).toHaveText(number)
}

test('a report travels the whole loop through the workbenches', async ({ browser }) => {
  test.setTimeout(180_000)
  const collector = await token('collector')

  // 受理台 open before the report is made: it arrives by the live feed.
  const centre = await as(browser, 'acceptor')
  await expect(centre).toHaveURL(/#\/workbench\/intake/)
  await openQueue(centre, 'intake', 'new', '受理台')
  await expect(centre.getByTestId('live')).toHaveClass(/on/)
  const c = await report(collector, `井盖缺失 e2e ${Date.now()}`)
  await expect(centre.getByTestId(`case-${c.number}`)).toBeVisible({ timeout: 5000 })
  console.log(`[bench] new report in the open 受理台 ${Date.now() - c.acknowledged} ms after its acknowledgement`)
  await pickRow(centre, c.number)
  await shot(centre, 'intake')

  // Accept with A; file with F — class preselected, its 立案条件 shown; Ctrl+Enter sends.
  await centre.keyboard.press('a')
  await expect(centre.getByTestId(`case-${c.number}`)).toHaveCount(0)
  await centre.getByRole('tab', { name: '待立案' }).click()
  await pickRow(centre, c.number)
  await centre.keyboard.press('f')
  await expect(centre.getByTestId('field-class_code')).toBeVisible()
  await expect(centre.getByTestId('filing-condition')).toContainText('立案条件')
  await expect(centre.getByTestId('field-class_code')).toContainText('01001')
  await shot(centre, 'intake-file')
  await centre.keyboard.press('Control+Enter')
  await expect(centre.getByTestId(`case-${c.number}`)).toHaveCount(0)

  // 派遣台: the suggestion is preselected and says why.
  const command = await as(browser, 'dispatcher')
  await expect(command).toHaveURL(/#\/workbench\/dispatch/)
  await openQueue(command, 'dispatch', 'filed', '派遣台')
  await pickRow(command, c.number)
  await command.keyboard.press('d')
  await expect(command.getByTestId('suggestion')).toContainText('市政设施管理处')
  await expect(command.getByTestId('department-select')).toContainText('市政设施管理处')
  await shot(command, 'dispatch')
  await command.keyboard.press('Control+Enter')
  await expect(command.getByTestId(`case-${c.number}`)).toHaveCount(0)

  // 我的任务: the department handles it with a photo.
  const dept = await as(browser, 'handler')
  await expect(dept).toHaveURL(/#\/workbench\/tasks/)
  await openQueue(dept, 'tasks', 'mine', '我的任务')
  await pickRow(dept, c.number)
  await shot(dept, 'my-tasks')
  await dept.getByTestId('case-panel').getByTestId('action-handle').click()
  await dept.getByTestId('field-note').locator('textarea').fill('已更换井盖')
  await dept.getByTestId('photo-input').setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: PNG })
  await expect(dept.getByTestId('field-photos')).toContainText('已上传 1 张')
  await dept.getByTestId('action-submit').click()
  await expect(dept.getByTestId(`case-${c.number}`)).toHaveCount(0)

  // The centre sends it for check (S); the collector checks on site (API); the centre closes.
  await openQueue(centre, 'intake', 'closing', '受理台 待核查结案')
  await pickRow(centre, c.number)
  await centre.keyboard.press('s')
  await expect(centre.getByTestId('case-panel').getByTestId('state-checking')).toBeVisible()
  await apiCall(collector, 'POST', `/cases/${c.id}/actions`, { action: 'check', passed: true })
  await expect(centre.getByTestId('case-panel').getByTestId('state-checked')).toBeVisible()
  await centre.keyboard.press('x')
  await expect(centre.getByTestId('closing-condition')).toBeVisible()
  await centre.getByTestId('action-submit').click()
  await expect(centre.getByTestId(`case-${c.number}`)).toHaveCount(0)

  // The case page: the whole history with names, the after-photo, the chain verified.
  await centre.goto(`/#/cases/${c.id}`)
  await expect(centre.getByTestId('case-number')).toHaveText(c.number)
  for (const action of ['report', 'accept', 'file', 'dispatch', 'handle', 'send_check', 'check', 'close']) {
    await expect(centre.getByTestId(`event-${action}`).first()).toBeVisible()
  }
  await expect(centre.getByTestId('timeline')).toContainText('市政处置员')
  await expect(centre.getByTestId('chain')).toContainText('校验通过')
  await expect(centre.getByTestId('photos-after').locator('img')).toHaveCount(1)
  await expect(centre.getByTestId('no-actions')).toBeVisible()
  await shot(centre, 'case-detail')

  // 案件查询 with a filter in the URL, and its export.
  await centre.goto(`/#/cases?number=${c.number}`)
  await expect(centre.getByTestId(`case-${c.number}`)).toBeVisible()
  const download = centre.waitForEvent('download')
  await centre.getByTestId('export').click()
  await centre.getByTestId('export-csv').click()
  expect((await download).suggestedFilename()).toMatch(/^cases-320115-.*\.csv$/)
  await centre.goto('/#/cases')
  await centre.reload()
  const started = Date.now()
  await expect(centre.getByTestId('case-search-list').locator('tbody tr').first()).toBeVisible()
  console.log(`[bench] 案件查询 (all cases, first page) rendered in ${Date.now() - started} ms after reload`)
  await shot(centre, 'case-search')
})

test('a return, an extension, a rework and a claim through the screens', async ({ browser }) => {
  test.setTimeout(180_000)
  const [collector, acceptor, dispatcher, handlerTok] = await Promise.all(['collector', 'acceptor', 'dispatcher', 'handler'].map(token))
  const me = await (await fetch(`${base}api/v1/me`, { headers: { authorization: `Bearer ${handlerTok}` } })).json()
  const dept = me.user.department_id as string
  const act = (tok: string, id: string, body: unknown) => apiCall(tok, 'POST', `/cases/${id}/actions`, body)
  const made = []
  for (const [i, text] of ['回退 e2e', '延期 e2e', '认领 e2e'].entries()) {
    const c = await report(collector, `${text} ${Date.now()}`, i + 1)
    await act(acceptor, c.id, { action: 'accept' })
    await act(acceptor, c.id, { action: 'file', class_code: '01001' })
    made.push(c)
  }
  const [ret, ext, claim] = made
  for (const c of [ret, ext]) await act(dispatcher, c.id, { action: 'dispatch', department: dept })

  const dep = await as(browser, 'handler')
  const cmd = await as(browser, 'dispatcher')

  // 回退: the department asks, the command centre approves; the case is back to be dispatched.
  await openQueue(dep, 'tasks', 'mine', '我的任务')
  await pickRow(dep, ret.number)
  await dep.getByTestId('case-panel').getByTestId('action-request_return').click()
  await dep.getByTestId('field-reason').locator('textarea').fill('不属本部门职责')
  await dep.getByTestId('action-submit').click()
  await expect(dep.getByTestId('case-panel').getByTestId('state-dispatched')).toBeVisible()
  await openQueue(cmd, 'approvals', 'return', '审批 回退')
  await pickRow(cmd, ret.number)
  await shot(cmd, 'approvals')
  await cmd.getByTestId('case-panel').getByTestId('action-approve_return').click()
  await expect(cmd.getByTestId(`case-${ret.number}`)).toHaveCount(0)
  expect((await apiCall(dispatcher, 'GET', `/cases/${ret.id}`)).state).toBe('filed')

  // 延期: asked with hours and a reason, approved in the extension queue.
  await pickRow(dep, ext.number)
  await dep.getByTestId('case-panel').getByTestId('action-request_extension').click()
  await dep.getByTestId('field-hours').locator('input').fill('8')
  await dep.getByTestId('field-reason').locator('textarea').fill('等待配件')
  await dep.getByTestId('action-submit').click()
  await cmd.getByRole('tab', { name: '延期审批' }).click()
  await pickRow(cmd, ext.number)
  await cmd.getByTestId('case-panel').getByTestId('action-approve_extension').click()
  await expect(cmd.getByTestId(`case-${ext.number}`)).toHaveCount(0)
  expect((await apiCall(dispatcher, 'GET', `/cases/${ext.id}`)).extension_hours).toBe(8)

  // 返工: handled, the check fails, and the task is back in 我的任务.
  await pickRow(dep, ext.number)
  await dep.getByTestId('case-panel').getByTestId('action-handle').click()
  await dep.getByTestId('field-note').locator('textarea').fill('已处理')
  await dep.keyboard.press('Control+Enter')
  await expect(dep.getByTestId(`case-${ext.number}`)).toHaveCount(0)
  await act(acceptor, ext.id, { action: 'send_check' })
  await act(collector, ext.id, { action: 'check', passed: false, note: '仍未修复' })
  await expect(dep.getByTestId(`case-${ext.number}`)).toBeVisible()
  await pickRow(dep, ext.number)
  await expect(dep.getByTestId('case-panel').getByTestId('action-handle')).toBeVisible()

  // 主动认领: a filed case claimed from 可认领 becomes the department's task.
  await openQueue(dep, 'tasks', 'claimable', '可认领')
  await pickRow(dep, claim.number)
  await shot(dep, 'claimable')
  await dep.keyboard.press('c')
  await expect(dep.getByTestId(`case-${claim.number}`)).toHaveCount(0)
  await dep.getByRole('tab', { name: '我的任务' }).click()
  await expect(dep.getByTestId(`case-${claim.number}`)).toBeVisible()
  const claimed = await apiCall(handlerTok, 'GET', `/cases/${claim.id}`)
  expect([claimed.state, claimed.claimed]).toEqual(['dispatched', true])

  // A 督办 on it shows in the case page's supervision history.
  const due = new Date(Date.now() + 86_400_000).toISOString()
  await apiCall(dispatcher, 'POST', `/cases/${claim.id}/supervision-orders`, { note: '请今日内处理完毕', due })
  await dep.goto(`/#/cases/${claim.id}`)
  await expect(dep.getByTestId('orders')).toContainText('请今日内处理完毕')
  await expect(dep.getByTestId('orders')).toContainText('派遣员')
  // …and in the command centre's 督办件 queue.
  await openQueue(cmd, 'dispatch', 'supervised', '派遣台 督办件')
  await expect(cmd.getByTestId(`case-${claim.number}`)).toBeVisible()
  await shot(cmd, 'supervised')
})

test('the centre compares a likely duplicate on the map and merges it in one click', async ({ browser }) => {
  const collector = await token('collector')
  const first = await report(collector, `井盖缺失（先报）${Date.now()}`, 5)
  const second = await report(collector, `同一处井盖 ${Date.now()}`, 5)
  const centre = await as(browser, 'acceptor')
  await openQueue(centre, 'intake', 'new', '受理台')
  await pickRow(centre, second.number)
  await expect(centre.getByTestId('duplicates')).toBeVisible()
  await expect(centre.getByTestId('case-panel').getByTestId('map')).toBeVisible()
  await shot(centre, 'intake-duplicates')
  // The keys, without the mouse: "?" lists them, J/K walk the rows.
  await centre.keyboard.press('?')
  await expect(centre.getByTestId('shortcut-help')).toContainText('下一条')
  await shot(centre, 'shortcuts')
  await centre.keyboard.press('Escape')
  await expect(centre.locator('.el-overlay:visible')).toHaveCount(0)
  await centre.keyboard.press('k')
  await expect(centre.getByTestId('panel-number')).toHaveText(first.number)
  await centre.keyboard.press('j')
  await expect(centre.getByTestId('panel-number')).toHaveText(second.number)
  // R opens 不予受理 with the focus in its reason; Escape leaves it unsent.
  await centre.keyboard.press('r')
  await expect(centre.getByTestId('field-reason').locator('textarea')).toBeFocused()
  // Keys of the workbench stay quiet while a dialog is open (the focus leaves the field here).
  await centre.getByTestId('action-submit').focus()
  await centre.keyboard.press('k')
  await expect(centre.getByTestId('panel-number')).toHaveText(second.number)
  await centre.keyboard.press('Escape')
  await expect(centre.getByTestId('field-reason')).toHaveCount(0)
  await expect(centre.locator('.el-overlay:visible')).toHaveCount(0)
  await centre.getByTestId(`merge-${first.number}`).click()
  await expect(centre.getByTestId(`case-${second.number}`)).toHaveCount(0)
  const merged = await apiCall(collector, 'GET', `/cases/${second.id}`)
  expect([merged.state, merged.merged_into]).toEqual(['voided', first.id])
})
