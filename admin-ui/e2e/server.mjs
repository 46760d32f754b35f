// Starts the real `urbangrid` server with the demo organisation on a fresh embedded database
// for the browser tests (Playwright's webServer runs this and waits for /readyz).
//   URBANGRID_BIN   the binary (default ../target/debug/urbangrid)
//   E2E_PORT        the port (default 18080)
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const bin = process.env.URBANGRID_BIN ?? resolve(import.meta.dirname, '../../target/debug/urbangrid')
const port = process.env.E2E_PORT ?? '18080'
const dataDir = mkdtempSync(join(tmpdir(), 'urbangrid-e2e-'))

const child = spawn(bin, ['serve', '--demo', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    URBANGRID_ADMIN_PASSWORD: 'Platform-Root-2026!',
    URBANGRID_DEMO_PASSWORD: 'Demo-Users-2026!',
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  },
})

function stop() {
  child.kill('SIGTERM')
}
child.on('exit', (code) => {
  rmSync(dataDir, { recursive: true, force: true })
  process.exit(code ?? 0)
})
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
