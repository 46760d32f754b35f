// What every journey needs: the demo's passwords, logging in through the page, and
// screenshots kept as test artefacts (test-results/shots/, git-ignored).
import { expect, type Page } from '@playwright/test'

export const ADMIN_PASSWORD = 'Platform-Root-2026!'
export const DEMO_PASSWORD = 'Demo-Users-2026!'

export async function login(page: Page, tenant: string, username: string, password = DEMO_PASSWORD) {
  await page.goto('/#/login')
  await pickTenant(page, tenant)
  await page.getByTestId('username').fill(username)
  await page.getByTestId('password').fill(password)
  await page.getByTestId('login-submit').click()
  // Either the shell opens or the page says why not (which then fails with that message).
  await expect(page.getByTestId('side-menu').or(page.getByTestId('login-error'))).toBeVisible()
  await expect(page.getByTestId('login-error'), `login as ${tenant}/${username}`).toHaveCount(0)
  await expect(page.getByTestId('side-menu')).toBeVisible()
}

/** Picks a tenant in the login page's picker. Waits for the search of what was typed to answer
 * before clicking, so the click never lands on an option the answer is about to replace. */
export async function pickTenant(page: Page, tenant: string) {
  await page.getByTestId('tenant').click()
  const searched = page.waitForResponse((r) => r.url().includes('/api/v1/auth/tenants') && r.url().includes(`q=${encodeURIComponent(tenant)}`))
  await page.keyboard.type(tenant)
  await searched
  await page.locator('.el-select-dropdown__item', { hasText: tenant }).first().click()
  await expect(page.getByTestId('tenant')).toContainText(tenant)
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/shots/${name}.png`, fullPage: true })
}
