// The unit-grid import as the county's administrator meets it (from the frame map; the
// onboarding wizard shows the same component): a GeoJSON file with one bad feature is checked,
// the bad feature is listed and drawn, and the valid ones are imported with `partial`.
// The valid features are four of the demo's own grids, unchanged: re-importing them replaces
// their geometry with itself and keeps their duty grids, so other journeys see the same frame.
import { expect, test } from '@playwright/test'
import { DEMO_PASSWORD, login, shot } from './fixtures'

const COUNTY = '320115'

test('a bad grid feature is listed and drawn, the valid ones are imported', async ({ page, request }) => {
  const t = await request.post('/api/v1/auth/login', { data: { tenant_code: COUNTY, username: 'admin', password: DEMO_PASSWORD } })
  const token = (await t.json()).access_token as string
  const r = await request.get(`/api/v1/tenants/${COUNTY}/grids/export`, { headers: { Authorization: `Bearer ${token}` } })
  const frame = (await r.json()) as { features: { properties: Record<string, unknown>; geometry: { coordinates: number[][][] } }[] }
  const good = frame.features.slice(0, 4).map((f) => ({
    type: 'Feature',
    properties: { code: f.properties.code, street_code: f.properties.street_code, community_code: f.properties.community_code },
    geometry: f.geometry,
  }))
  const [x, y] = frame.features[0].geometry.coordinates[0][0]
  const bowtie = {
    type: 'Feature',
    properties: { code: `${String(frame.features[0].properties.code).slice(0, 12)}999`, street_code: good[0].properties.street_code, community_code: good[0].properties.community_code },
    geometry: { type: 'Polygon', coordinates: [[[x, y], [x + 0.001, y - 0.001], [x + 0.001, y], [x, y - 0.001], [x, y]]] },
  }
  const upload = { type: 'FeatureCollection', features: [...good, bowtie] }

  await login(page, COUNTY, 'admin')
  await page.goto('/#/map')
  await expect(page.getByTestId('grid-count')).toContainText('1920')
  await page.getByTestId('grid-import-open').click()
  await expect(page.getByTestId('grid-import')).toContainText('GeoJSON')
  await page.getByTestId('grid-file').setInputFiles({ name: 'grids.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(upload)) })
  await expect(page.getByTestId('grid-feature-count')).toContainText('5')
  await page.getByTestId('grid-check').click()

  await expect(page.getByTestId('grid-check-bad')).toContainText('5 个要素中有 1 个有问题')
  const bad = page.getByTestId('grid-bad')
  await expect(bad).toContainText('self-intersection')
  await expect(bad.locator('.el-table__body tr')).toHaveCount(1)
  await expect(bad.locator('.el-table__body tr').first()).toContainText('4')
  await expect(page.getByTestId('grid-run')).toBeDisabled()
  const map = page.getByTestId('grid-import').getByTestId('map')
  await expect(map).toHaveAttribute('data-rendered', /\d+/)
  await page.waitForTimeout(300)
  await shot(page, 'grid-import-checked')

  await page.getByTestId('grid-partial').click()
  await page.getByTestId('grid-run').click()
  await expect(page.getByTestId('grid-imported')).toContainText('已写入 4 个网格')
  await expect(page.getByTestId('grid-imported')).toContainText('跳过 1')
  await shot(page, 'grid-import-done')
})
