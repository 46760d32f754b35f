// Browser measurements of the console (BENCHMARKS.md), in Debian's Chromium against a running
// `urbangrid serve --demo`:
//   node bench/console.mjs http://127.0.0.1:8080 [runs]
// Prints, per run: the login page's Largest Contentful Paint, the JavaScript loaded before login
// (raw and gzip-compressed sizes), the shell's LCP after login, and for the county's map page the
// time until the 1,920 grids are drawn and until all 20,000 components are on the map.
import { chromium } from 'playwright-core'
import { gzipSync } from 'node:zlib'

const base = process.argv[2] ?? 'http://127.0.0.1:8080'
const runs = Number(process.argv[3] ?? 3)
const password = process.env.URBANGRID_DEMO_PASSWORD ?? 'Demo-Users-2026!'
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync']

const lcp = (page) => page.evaluate(() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const e = list.getEntries()
    resolve(Math.round(e[e.length - 1].startTime))
  }).observe({ type: 'largest-contentful-paint', buffered: true })
}))

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const results = []
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args })
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const page = await context.newPage()
  const scripts = new Map()
  page.on('response', async (r) => {
    if (r.request().resourceType() === 'script') scripts.set(r.url(), await r.body().catch(() => Buffer.alloc(0)))
  })
  await page.goto(`${base}/#/login`, { waitUntil: 'networkidle' })
  const loginLcp = await lcp(page)
  const before = [...scripts.values()]
  const raw = before.reduce((s, b) => s + b.length, 0)
  const gz = before.reduce((s, b) => s + gzipSync(b).length, 0)

  await page.getByTestId('tenant').click()
  await page.keyboard.type('320115')
  await page.locator('.el-select-dropdown__item', { hasText: '320115' }).first().click()
  await page.getByTestId('username').fill('admin')
  await page.getByTestId('password').fill(password)
  const t0 = Date.now()
  await page.getByTestId('login-submit').click()
  await page.getByTestId('side-menu').waitFor()
  const shell = Date.now() - t0

  const t1 = Date.now()
  await page.goto(`${base}/#/map`)
  await page.getByTestId('map').and(page.locator('[data-rendered]')).waitFor({ timeout: 60_000 })
  await page.getByTestId('grid-count').filter({ hasText: '1920' }).waitFor({ timeout: 60_000 })
  const grids = Date.now() - t1
  let components = null
  try {
    await page.getByTestId('components-count').filter({ hasText: /共 20,?0\d\d/ }).waitFor({ timeout: 120_000 })
    components = Date.now() - t1
  } catch {
    components = null
  }
  results.push({ loginLcp, scripts: before.length, raw, gz, shell, grids, components })
  console.log(`run ${i + 1}: login LCP ${loginLcp} ms; before login ${before.length} scripts, ${(raw / 1024).toFixed(0)} KB raw, ${(gz / 1024).toFixed(0)} KB gzip; shell after login ${shell} ms; map grids drawn ${grids} ms; components loaded ${components ?? 'n/a'} ms`)
  await context.close()
}
await browser.close()
const m = (k) => median(results.map((r) => r[k]).filter((v) => v !== null))
console.log(`median: login LCP ${m('loginLcp')} ms, JS before login ${(m('gz') / 1024).toFixed(0)} KB gzip, shell ${m('shell')} ms, map grids ${m('grids')} ms, components ${m('components')} ms`)
