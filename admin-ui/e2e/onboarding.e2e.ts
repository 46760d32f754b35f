// The city administrator onboards a new county (南京市 → 鼓楼区 320106) through the whole wizard,
// as its staff would: departments, users from a template, unit grids from GeoJSON (one bad
// feature shown, then fixed), duty grids, the census from Excel (row errors, then imported),
// settings and the responsibility list — until the readiness checklist is green.
import { expect, test, type Page } from '@playwright/test'
import { featureCollection, squares, uscc, xlsx } from './data'
import { login, shot } from './fixtures'

const COUNTY = '320106'
const STREET = '320106001' // 宁海路街道
const COMMUNITIES = ['320106001003', '320106001004'] // 仙霞路社区, 苏州路社区

async function step(page: Page, name: RegExp) {
  await page.getByTestId('wizard-steps').locator('.el-step', { hasText: name }).click()
}

async function itemsOk(page: Page, keys: string[]) {
  for (const k of keys) await expect(page.locator(`[data-testid=readiness] li[data-key="${k}"]`)).toHaveAttribute('data-ok', 'true')
}

test('a county is onboarded through the wizard until its checklist is green', async ({ page }) => {
  test.setTimeout(240_000)
  await login(page, '320100', 'admin')
  await expect(page.getByTestId('side-menu')).toContainText('区县接入')
  await shot(page, 'counties-board')

  // 1. The county and its first administrator.
  await page.getByTestId('county-add').click()
  await page.getByTestId('tenant-division').click()
  await page.keyboard.type('鼓楼')
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: COUNTY }).first().click()
  await page.getByTestId('admin-display-name').fill('鼓楼区管理员')
  await page.getByTestId('admin-password').fill('Gulou-Root-2026!')
  await page.getByTestId('tenant-save').click()
  await expect(page).toHaveURL(/onboarding\/320106\?step=departments/)
  await expect(page.locator('[data-testid=readiness] li[data-key="departments"]')).toHaveAttribute('data-ok', 'false')

  // 2. Departments.
  for (const [i, name] of ['鼓楼区城市管理局', '鼓楼区市政设施管理处'].entries()) {
    await page.getByTestId('department-add').click()
    await page.getByTestId('department-name').fill(name)
    await page.getByTestId('department-uscc').fill(uscc(COUNTY, 100 + i))
    await page.getByTestId('department-save').click()
    await expect(page.getByTestId('departments')).toContainText(name)
  }
  await itemsOk(page, ['departments'])
  await shot(page, 'wizard-departments')

  // 3. Users from a template: a bad row is reported with its line, nothing is written; then fixed.
  await page.getByTestId('wizard-next').click()
  const header = 'username,display_name,password,roles,department,mobile,email,staff_number'
  const rows = [
    'gl_acceptor,鼓楼受理员,Gulou-Accept-2026!,supervision-center,,13800000001,,GL-001',
    'gl_dispatcher,鼓楼派遣员,Gulou-Dispatch-2026!,command-center,,13800000002,,GL-002',
    'gl_handler,鼓楼处置员,Gulou-Handle-2026!,department,鼓楼区市政设施管理处,13800000003,,GL-003',
    'gl_collector,鼓楼监督员,Gulou-Patrol-2026!,collector,,13800000004,,GL-004',
  ]
  const bad = [header, ...rows.slice(0, 3), 'gl_collector,鼓楼监督员,Gulou-Patrol-2026!,patroller,,13800000004,,GL-004'].join('\n')
  await page.getByTestId('user-import').click()
  await page.getByTestId('import-file').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
  await page.getByTestId('import-run').click()
  await expect(page.getByTestId('import-errors')).toContainText('roles')
  await expect(page.getByTestId('import-errors')).toContainText('5')
  await shot(page, 'wizard-users-errors')
  await page.getByTestId('import-file').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...rows].join('\n')) })
  await page.getByTestId('import-run').click()
  await expect(page.getByTestId('import-ok')).toBeVisible()
  await page.getByTestId('import-dry-run').click()
  await page.getByTestId('import-run').click()
  await expect(page.getByTestId('import-ok')).toContainText('4')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('users')).toContainText('gl_collector')
  await itemsOk(page, ['users.supervision-center', 'users.command-center', 'users.department', 'users.collector'])

  // 4. Unit grids: a self-intersecting feature is listed and drawn; the fixed file imports.
  await page.getByTestId('wizard-next').click()
  const cells = [...squares(COMMUNITIES[0], 118.7700, 32.0600, 3, 2), ...squares(COMMUNITIES[1], 118.7730, 32.0600, 3, 2)]
  const broken = structuredClone(cells)
  const [x, y] = broken[2].ring[0]
  broken[2].ring = [[x, y], [x + 0.001, y + 0.001], [x + 0.001, y], [x, y + 0.001], [x, y]]
  await page.getByTestId('grid-file').setInputFiles({ name: 'grids.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(featureCollection(broken))) })
  await page.getByTestId('grid-check').click()
  await expect(page.getByTestId('grid-bad').locator('.el-table__body tr')).toHaveCount(1)
  await expect(page.getByTestId('grid-bad')).toContainText(cells[2].code)
  await shot(page, 'wizard-grids-bad')
  await page.getByTestId('grid-file').setInputFiles({ name: 'grids.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(featureCollection(cells))) })
  await page.getByTestId('grid-check').click()
  await expect(page.getByTestId('grid-check-ok')).toBeVisible()
  await page.getByTestId('grid-run').click()
  await expect(page.getByTestId('grid-imported')).toContainText('12')
  await itemsOk(page, ['streets', 'communities', 'unit_grids', 'communities_gridded'])

  // 5. Duty grids: one per street, with its collector.
  await page.getByTestId('wizard-next').click()
  await page.getByTestId('duty-per-street').click()
  await expect(page.getByTestId('duty-grids')).toContainText(`DG-${STREET}`)
  await page.getByTestId('duty-grids').getByRole('button', { name: '编辑' }).first().click()
  await page.getByTestId('duty-collectors').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: 'gl_collector' }).click()
  await page.keyboard.press('Escape')
  await page.getByTestId('duty-save').click()
  await expect(page.getByTestId('duty-grids')).toContainText('鼓楼监督员')
  await itemsOk(page, ['duty_grids_staffed', 'duty_grids_cover'])

  // 6. The census from Excel: a bad row is shown by line and field; then the valid rows.
  await page.getByTestId('wizard-next').click()
  const dept = uscc(COUNTY, 101)
  const centre = (c: (typeof cells)[number]) => [(c.ring[0][0] + 0.0005).toFixed(6), (c.ring[0][1] + 0.0005).toFixed(6)]
  const sheet = [
    ['GLBJBSM', 'ZGBMDM', 'ZGBMMC', 'SZDYWGBSM', 'GLBJZT', 'CSRQ', 'SJLY', 'lon', 'lat'],
    ...cells.slice(0, 4).map((c, i) => [`32010601001${String(i + 1).padStart(6, '0')}`, dept, '鼓楼区市政设施管理处', c.code, '完好', '2026-03-01', '实测', ...centre(c)]),
    ['32010601001000009', dept, '鼓楼区市政设施管理处', cells[5].code, '坏了', '2026-03-01', '实测', ...centre(cells[5])],
  ]
  await page.getByTestId('wizard-census-open').click()
  await page.getByTestId('census-file').setInputFiles({ name: '部件普查.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx(sheet) })
  await page.getByTestId('census-dry-run').click()
  await expect(page.getByTestId('census-counts')).toContainText('失败 1 行')
  await expect(page.getByTestId('census-errors')).toContainText('status')
  await expect(page.getByTestId('census-errors')).toContainText('6')
  await shot(page, 'wizard-census-errors')
  await page.getByTestId('census-import-dialog').locator('.el-radio', { hasText: '只写入有效行' }).click()
  await page.getByTestId('census-run').click()
  await expect(page.getByTestId('census-counts')).toContainText('写入 4 行')
  await page.getByTestId('census-import-dialog').locator('.el-dialog__footer').getByRole('button', { name: '关闭' }).click()
  await itemsOk(page, ['census'])

  // 7. Settings: the time limits saved, every class given to a department.
  await page.getByTestId('wizard-next').click()
  await page.getByRole('tab', { name: '时限标准' }).click()
  await page.getByTestId('limits-save').click()
  await page.getByRole('tab', { name: '权责清单' }).click()
  await page.getByTestId('bulk-dept').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '鼓楼区城市管理局' }).click()
  await page.getByTestId('fill-unassigned').click()
  await page.getByTestId('lines-save').click()
  await itemsOk(page, ['work_calendar', 'time_limits', 'responsibilities'])
  await shot(page, 'wizard-settings')

  // 8. Green.
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('wizard-ready')).toBeVisible()
  await shot(page, 'wizard-ready')
  await page.getByTestId('menu-counties').click()
  await expect(page.getByTestId(`ready-${COUNTY}`)).toContainText('15/15')
})
