// What every journey needs: the demo's passwords, logging in through the page, and
// screenshots kept as test artefacts (test-results/shots/, git-ignored).
import { expect, type Page } from '@playwright/test'

export const ADMIN_PASSWORD = 'Platform-Root-2026!'
export const DEMO_PASSWORD = 'Demo-Users-2026!'

export async function login(page: Page, tenant: string, username: string, password = DEMO_PASSWORD) {
  await page.goto('/#/login')
  await page.getByTestId('tenant').click()
  await page.keyboard.type(tenant)
  await page.locator('.el-select-dropdown__item', { hasText: tenant }).first().click()
  await page.getByTestId('username').fill(username)
  await page.getByTestId('password').fill(password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('side-menu')).toBeVisible()
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/shots/${name}.png`, fullPage: true })
}
