// Prints one "<runner>: N passed, N failed, N skipped" line from a runner's JSON report and
// exits non-zero on failures (the test command's closing lines are read by CI).
import { readFileSync } from 'node:fs'

const [kind, file] = process.argv.slice(2)
const r = JSON.parse(readFileSync(file, 'utf8'))
let passed, failed, skipped
if (kind === 'vitest') {
  passed = r.numPassedTests; failed = r.numFailedTests; skipped = r.numPendingTests + (r.numTodoTests ?? 0)
} else {
  passed = r.stats.expected + (r.stats.flaky ?? 0); failed = r.stats.unexpected; skipped = r.stats.skipped
}
console.log(`${kind}: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 ? 1 : 0)
