// Evaluation and the city's oversight, as their users meet them: a county's tables with rank
// moves and drill-down to the cases, the scheme editor refusing a bad weighting and previewing a
// new one, and the city ranking its counties and issuing a 市级督办 that the county answers.
import { expect, test } from '@playwright/test'
import { login, shot } from './fixtures'

test('a county reads its evaluation, drills down to the cases behind a number and exports it', async ({ page }) => {
  await login(page, '320115', 'admin')
  await page.getByTestId('menu-evaluation').click()
  const table = page.getByTestId('ranking')
  await expect(table.locator('tbody tr').first()).toBeVisible()
  await page.getByTestId('subject-department').click()
  await expect(table).toContainText('市政设施管理处')
  await expect(page.getByTestId('evaluation')).toContainText('与上期')
  await shot(page, 'evaluation-county')

  await table.getByTestId('cell-filed').first().click()
  const drill = page.getByTestId('drill')
  await expect(drill.getByTestId('drill-case').first()).toBeVisible()
  await expect(drill).toContainText('由以下')
  await shot(page, 'evaluation-drill')
  await page.keyboard.press('Escape')

  const download = page.waitForEvent('download')
  await page.getByTestId('export').click()
  await page.getByTestId('export-xlsx').click()
  expect((await download).suggestedFilename()).toMatch(/evaluation-320115-department-.*\.xlsx$/)
})

test('the scheme editor refuses weights that do not sum to 100 and previews a new grading', async ({ page }) => {
  await login(page, '320115', 'admin')
  await page.goto('/#/evaluation/scheme')
  const region = page.getByTestId('weights-region')
  await expect(page.getByTestId('sum-region')).toContainText('100')
  const first = page.getByTestId('weight-region-0').locator('input')
  await first.fill('50')
  await first.blur()
  await expect(page.getByTestId('sum-region')).toContainText('140')
  await page.getByTestId('scheme-save').click()
  await expect(page.getByTestId('scheme-errors')).toContainText('weights.region')
  await expect(region).toContainText('sum to 100')
  await shot(page, 'scheme-editor-error')
  await first.fill('10')
  await first.blur()
  await expect(page.getByTestId('sum-region')).toContainText('100')

  // A stricter grading, previewed before it is saved.
  await page.getByRole('tab', { name: '等级划分' }).click()
  await page.getByTestId('grade-0').locator('.el-input-number input').fill('99')
  await page.getByRole('tab', { name: '预览排名变化' }).click()
  await page.getByTestId('preview-run').click()
  await expect(page.getByTestId('preview-summary')).toContainText('名次或等级会变化')
  await expect(page.getByTestId('preview-rows').locator('tbody tr').first()).toBeVisible()
  await shot(page, 'scheme-preview')
})

test('the city ranks its counties, orders a recurring problem handled, and the county answers', async ({ page }) => {
  await login(page, '320100', 'oversight')
  await page.getByTestId('menu-oversight').click()
  const ranking = page.getByTestId('county-ranking')
  await expect(ranking).toContainText('江宁区')
  await expect(ranking).toContainText('玄武区')
  await expect(page.getByTestId('trend-chart').locator('canvas')).toBeVisible()
  await expect(page.getByTestId('hotspots').locator('tbody tr').first()).toBeVisible()
  await page.waitForTimeout(600) // the chart's lines draw in
  await shot(page, 'oversight')

  await page.getByTestId('hotspot-order').first().click()
  // (The dialog is teleported to the body: its fields are found on the page.)
  await expect(page.getByTestId('directive-title')).toHaveValue(/反复出现/)
  const title = await page.getByTestId('directive-title').inputValue()
  const county = title.startsWith('江宁区') ? '江宁区' : '玄武区'
  await page.getByTestId('directive-body').fill('请于一周内查明原因并从源头治理。')
  await page.getByTestId('directive-save').click()
  await expect(page.getByText('已发出')).toBeVisible()

  await page.getByTestId('menu-directives').click()
  await page.getByTestId('directives-county').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: county }).click()
  const rows = page.getByTestId('directive-rows')
  await expect(rows).toContainText(title)
  await expect(rows).toContainText('待答复')
  await shot(page, 'directives-city')

  // The county's supervision centre answers it; the city closes it.
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await login(page, county === '江宁区' ? '320115' : '320102', 'acceptor')
  await page.goto('/#/directives')
  await page.getByTestId('directive-respond').first().click()
  await page.locator('.el-message-box textarea').fill('已查明为垃圾收集点设置不足，已增设两处。')
  await page.locator('.el-message-box').getByRole('button', { name: /OK|确定/ }).click()
  await expect(page.getByTestId('directive-rows')).toContainText('已答复')
  await shot(page, 'directives-county')
})
