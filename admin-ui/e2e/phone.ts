// The collector's phone for the mobile-web journeys: a phone-sized context with its position,
// the /m/ login, and a patrol report filled in on the 上报 page.
import { expect, test, type Browser, type Page } from '@playwright/test'
import { DEMO_PASSWORD } from './fixtures'
import { COUNTY } from './loop'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'zh-CN' }

export async function phone(browser: Browser, geolocation: { longitude: number; latitude: number }, serviceWorkers: 'allow' | 'block') {
  return browser.newContext({ ...PHONE, geolocation, permissions: ['geolocation'], serviceWorkers, baseURL: test.info().project.use.baseURL })
}

export async function mLogin(page: Page, username = 'collector') {
  await page.goto('/m/')
  await expect(page).toHaveURL(/\/m\/login/)
  await page.getByTestId('m-tenant').fill(COUNTY)
  await page.getByTestId('m-username').fill(username)
  await page.getByTestId('m-password').fill(DEMO_PASSWORD)
}

export async function fillReport(page: Page, description: string, photo?: Buffer, cls = { search: '暴露垃圾', code: '06010' }) {
  await page.getByTestId('m-tab-m-report').click()
  await expect(page.getByTestId('m-position')).toContainText('已定位')
  if (photo) {
    await page.getByTestId('m-photo').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: photo })
    await expect(page.locator('figure.thumb')).toHaveCount(1, { timeout: 30_000 })
  }
  await page.getByTestId('m-class').click()
  await page.getByTestId('m-class-search').fill(cls.search)
  await page.getByTestId(`m-class-${cls.code}`).click()
  await page.getByTestId('m-description').fill(description)
}

