// The county's frame on a map and its census, as the county's administrator sees them on the
// demo (江宁区 320115: 1,920 unit grids, 20,000 components).
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { DEMO_PASSWORD, login, shot } from './fixtures'

const COUNTY = '320115'

/** WGS84 → GCJ-02 (the published "Mars" offset), to type a point as a consumer map app gives it. */
function toGcj02(lon: number, lat: number): [number, number] {
  const a = 6378245.0
  const ee = 0.00669342162296594323
  const x = lon - 105
  const y = lat - 35
  let dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  dLat += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  dLat += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3
  dLat += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3
  let dLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  dLon += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  dLon += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3
  dLon += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3
  const rad = (lat / 180) * Math.PI
  let magic = Math.sin(rad)
  magic = 1 - ee * magic * magic
  const sq = Math.sqrt(magic)
  dLat = (dLat * 180) / (((a * (1 - ee)) / (magic * sq)) * Math.PI)
  dLon = (dLon * 180) / ((a / sq) * Math.cos(rad) * Math.PI)
  return [lon + dLon, lat + dLat]
}

/** A grid of the demo frame and a point well inside it (the centre of its ring's box), WGS84. */
async function someGrid(request: APIRequestContext): Promise<{ code: string; lon: number; lat: number }> {
  const t = await request.post('/api/v1/auth/login', { data: { tenant_code: COUNTY, username: 'admin', password: DEMO_PASSWORD } })
  expect(t.ok()).toBeTruthy()
  const token = (await t.json()).access_token as string
  const r = await request.get(`/api/v1/tenants/${COUNTY}/grids/export`, { headers: { Authorization: `Bearer ${token}` } })
  expect(r.ok()).toBeTruthy()
  const fc = (await r.json()) as { features: { properties: { code: string }; geometry: { type: string; coordinates: number[][][] | number[][][][] } }[] }
  expect(fc.features.length).toBeGreaterThan(100)
  const f = fc.features[Math.floor(fc.features.length / 3)]
  const ring = (f.geometry.type === 'MultiPolygon' ? (f.geometry.coordinates as number[][][][])[0][0] : (f.geometry.coordinates as number[][][])[0])
  const xs = ring.map((c) => c[0])
  const ys = ring.map((c) => c[1])
  return { code: f.properties.code, lon: (Math.min(...xs) + Math.max(...xs)) / 2, lat: (Math.min(...ys) + Math.max(...ys)) / 2 }
}

async function pick(page: Page, testid: string, option: string) {
  await page.getByTestId(testid).click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: option }).first().click()
}

test('the frame map draws the grids, shows a clicked grid and locates a GCJ-02 point', async ({ page, request }) => {
  const grid = await someGrid(request)
  await login(page, COUNTY, 'admin')
  const started = Date.now()
  await page.goto('/#/map')
  await expect(page.getByTestId('grid-count')).toContainText('1920')
  await expect(page.getByTestId('map')).toHaveAttribute('data-rendered', /\d+/, { timeout: 15_000 })
  const interactive = Date.now() - started
  console.log(`map page: grids drawn ${interactive} ms after navigation`)
  // The census follows in the background (20,000 demo components, clustered).
  await expect(page.getByTestId('components-count')).toContainText(/共 \d{4,} 个部件/, { timeout: 30_000 })
  console.log(`map page: components drawn ${Date.now() - started} ms after navigation`)
  await shot(page, 'map-components')
  await page.getByTestId('layer-components').click()

  // Click the middle of the map: a grid of the frame, whose panel shows its codes and collectors.
  const box = (await page.getByTestId('map').boundingBox())!
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  await expect(page.getByTestId('grid-panel')).toContainText(/3201150\d{8}/)
  await expect(page.getByTestId('grid-panel')).toContainText('责任网格')

  // Locate the point as a consumer app (GCJ-02) gives it.
  const [lon, lat] = toGcj02(grid.lon, grid.lat)
  await pick(page, 'locate-crs', 'GCJ-02')
  await page.getByTestId('locate-lon').fill(lon.toFixed(7))
  await page.getByTestId('locate-lat').fill(lat.toFixed(7))
  await page.getByTestId('locate-run').click()
  await expect(page.getByTestId('locate-result')).toContainText(grid.code)
  await expect(page.getByTestId('locate-result')).toContainText('街道')
  await page.waitForTimeout(400) // the marker animates in
  await shot(page, 'map-located')

  // A point far outside the county: the server's outside_grids message.
  await page.getByTestId('locate-lon').fill('116.3975')
  await page.getByTestId('locate-lat').fill('39.9087')
  await page.getByTestId('locate-run').click()
  await expect(page.getByTestId('locate-error')).toContainText('不在本区县任何单元网格内')
  await expect(page.getByTestId('locate-result')).toHaveCount(0)

  // A point picked on the map (WGS84): the grid under the cursor.
  await page.getByTestId('locate-pick').click()
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  await expect(page.getByTestId('locate-result')).toContainText(/3201150\d{8}/)
  await expect(page.getByTestId('locate-crs')).toContainText('WGS84')

  // Layer switches: duty grids on, streets off.
  await page.getByTestId('layer-street').click()
  await page.getByTestId('layer-duty').click()
  await page.waitForTimeout(300)
  await shot(page, 'map-duty-grids')
})

test('the census: filter, open a component with its history, see it on the map', async ({ page }) => {
  await login(page, COUNTY, 'admin')
  await page.goto('/#/components')
  const table = page.getByTestId('components')
  await expect(table.locator('.el-table__body tr').first()).toBeVisible()
  await shot(page, 'census-list')

  await pick(page, 'filter-status', '破损')
  await page.getByTestId('search').click()
  await expect(page).toHaveURL(/status=/)
  await expect(table.locator('.el-table__body tr').first()).toContainText('破损')
  const rows = table.locator('.el-table__body tr')
  for (const text of await rows.allInnerTexts()) expect(text).toContain('破损')
  await shot(page, 'census-filtered')

  // The filtered census as a file, named by the server.
  await page.getByTestId('census-export').click()
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
  expect(download.suggestedFilename()).toMatch(/^components-320115-\d{8}\.csv$/)
  const csv = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8')
  expect(csv.startsWith('\uFEFF')).toBeTruthy()
  expect(csv).toContain('破损')
  expect(csv).not.toContain(',完好,')

  await table.locator('[data-testid=component-open]:visible').first().click()
  const drawer = page.getByTestId('component-detail')
  await expect(drawer).toContainText('部件详情')
  await expect(drawer).toContainText('破损')
  await expect(page.getByTestId('component-history')).toContainText('v1')
  await shot(page, 'census-detail')
  await page.keyboard.press('Escape')

  await page.getByTestId('census-map').click()
  await expect(page.getByTestId('points-count')).toContainText(/地图上共 \d+ 个部件/, { timeout: 30_000 })
  await expect(page.getByTestId('map')).toHaveAttribute('data-rendered', /\d+/)
  await page.waitForTimeout(300)
  await shot(page, 'census-map')
})

test('the census import: dry run with row errors, the error report, then the valid row for real', async ({ page, request }) => {
  const grid = await someGrid(request)
  const header = 'GLBJBSM,ZGBMDM,ZGBMMC,SZDYWGBSM,GLBJZT,CSRQ,SJLY,lon,lat'
  const row = (id: string, status: string, date: string) =>
    `${id},11320115MB0000003K,江宁区市政设施管理处,${grid.code},${status},${date},实测,${grid.lon.toFixed(7)},${grid.lat.toFixed(7)}`
  // A serial of its own per run (900000–999999, above the demo's), so the valid row is new.
  const id = (n: number) => `32011501005${900000 + ((Date.now() + n) % 100000)}`
  const csv = [header, row(id(0), '完好', '2026-03-01'), row(id(1), '坏了', '2026-03-01'), row(id(2), '完好', '2026-13-01')].join('\n') + '\n'

  await login(page, COUNTY, 'admin')
  await page.goto('/#/components')
  await page.getByTestId('census-import').click()
  const dialog = page.getByTestId('census-import-dialog')
  await page.getByTestId('census-file').setInputFiles({ name: 'census.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await expect(page.getByTestId('census-run')).toBeDisabled()
  await page.getByTestId('census-dry-run').click()
  await expect(page.getByTestId('census-counts')).toContainText('已读取 3 行，有效 1 行，失败 2 行')
  const errors = page.getByTestId('census-errors')
  await expect(errors.locator('.el-table__body tr')).toHaveCount(2)
  await expect(errors.locator('.el-table__body tr').first()).toContainText('3')
  await expect(errors).toContainText('status')
  await expect(errors).toContainText('initial_date')
  await expect(page.getByTestId('census-run')).toBeDisabled() // all or nothing: fix the file or choose partial
  await page.waitForTimeout(800) // the bar's width transition
  await shot(page, 'census-import-dry-run')

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('census-error-report').click()])
  expect(download.suggestedFilename()).toMatch(/^census-errors-320115-.*\.csv$/)
  const report = await (await download.createReadStream()).toArray()
  const text = Buffer.concat(report).toString('utf8')
  expect(text.startsWith('\uFEFF行号,字段,原因')).toBeTruthy()
  expect(text).toContain('3,status,')

  await dialog.locator('.el-radio', { hasText: '只写入有效行' }).click()
  await page.getByTestId('census-run').click()
  await expect(page.getByTestId('census-counts')).toContainText('写入 1 行')
  await expect(page.getByTestId('census-progress')).toContainText('正式导入 · 已完成')
  await expect(page.getByTestId('census-run')).toBeDisabled()
  await page.waitForTimeout(800)
  await shot(page, 'census-import-done')
})
