// The shell as each kind of user meets it: login and its refusals, the permission-driven menu,
// both languages, and the platform administrator onboarding a city.
import { expect, test } from '@playwright/test'
import { ADMIN_PASSWORD, DEMO_PASSWORD, login, shot } from './fixtures'

test('a wrong password and a missing field are explained; no request leaves the server', async ({ page }) => {
  const outside: string[] = []
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1')) outside.push(r.url())
  })
  await page.goto('/')
  await expect(page).toHaveURL(/#\/login/)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('请选择单位')
  await page.getByTestId('tenant').click()
  await page.keyboard.type('江宁')
  await page.locator('.el-select-dropdown__item', { hasText: '320115' }).first().click()
  await page.getByTestId('username').fill('admin')
  await page.getByTestId('password').fill('wrong-password-1')
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('单位、用户名或密码错误')
  await shot(page, 'login-error')
  expect(outside).toEqual([])
})

test('a collector sees only what a collector may', async ({ page }) => {
  await login(page, '320115', 'collector')
  // At a desk a collector lands on 我的上报, pointed to the mobile web where patrols are made.
  await expect(page).toHaveURL(/#\/my-reports/)
  await expect(page.getByTestId('mobile-link')).toHaveAttribute('href', /\/m\/$/)
  await expect(page.getByTestId('my-reports-list')).toBeVisible()
  await shot(page, 'collector-desk')
  const menu = page.getByTestId('side-menu')
  await expect(menu).toContainText('网格地图')
  for (const hidden of ['用户与角色', '部门', '工作日历', '权责清单', '审计日志', '就绪清单']) await expect(menu).not.toContainText(hidden)
  await page.goto('/#/users')
  await expect(page).not.toHaveURL(/#\/users/)
  await shot(page, 'collector-menu')
})

test('the county administrator manages departments and users, in Chinese and in English', async ({ page }) => {
  await login(page, '320115', 'admin')
  await page.getByTestId('menu-departments').click()
  await expect(page.getByTestId('departments')).toContainText('市政设施管理处')
  await page.getByTestId('department-add').click()
  await page.getByTestId('department-name').fill('测试部门')
  await page.getByTestId('department-uscc').fill('123')
  await page.getByTestId('department-save').click()
  // The server's field error lands on the field.
  await expect(page.locator('.el-form-item.is-error')).toContainText('统一社会信用代码')
  await shot(page, 'department-field-error')
  await page.keyboard.press('Escape')
  await page.getByTestId('menu-users').click()
  await expect(page.getByTestId('users')).toContainText('collector')
  await shot(page, 'users-zh')
  await page.getByTestId('locale-switch').click()
  await page.getByTestId('locale-en').click()
  await expect(page.getByTestId('side-menu')).toContainText('Users and roles')
  await expect(page.getByTestId('users')).toContainText('Collector')
  await shot(page, 'users-en')
})

test('the platform administrator onboards a city with its first administrator', async ({ page }) => {
  await login(page, '000000', 'admin', ADMIN_PASSWORD)
  await expect(page.getByTestId('cities')).toContainText('南京市')
  await page.getByTestId('city-add').click()
  await page.getByTestId('tenant-division').click()
  await page.keyboard.type('苏州')
  await page.locator('.el-select-dropdown__item', { hasText: '320500' }).first().click()
  await page.getByTestId('admin-display-name').fill('苏州市管理员')
  await page.getByTestId('admin-password').fill('Suzhou-Root-2026!')
  await page.getByTestId('tenant-save').click()
  await expect(page.getByTestId('cities')).toContainText('苏州市')
  await shot(page, 'cities')
  // The new city's administrator logs in.
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await login(page, '320500', 'admin', 'Suzhou-Root-2026!')
  await expect(page.getByTestId('side-menu')).toContainText('区县接入')
})

test('a city user looks into a county through the tenant switch', async ({ page }) => {
  await login(page, '320100', 'oversight', DEMO_PASSWORD)
  await page.getByTestId('tenant-switch').click()
  await page.locator('.el-select-dropdown__item', { hasText: '江宁区' }).first().click()
  await expect(page.getByTestId('side-menu')).toContainText('网格地图')
  await shot(page, 'oversight-in-county')
})
