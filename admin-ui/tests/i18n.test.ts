// Both catalogues have exactly the same keys, and every key the code names exists.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { duplicates, en, zh } from '@/i18n/messages'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : /\.(vue|ts)$/.test(f) ? [p] : []
  })
}

describe('message catalogues', () => {
  const zhKeys = new Set(keys(zh))
  const enKeys = new Set(keys(en))

  it('have the same keys in zh-CN and en', () => {
    expect([...zhKeys].filter((k) => !enKeys.has(k))).toEqual([])
    expect([...enKeys].filter((k) => !zhKeys.has(k))).toEqual([])
  })

  it('define every key once (shell catalogue or one area file)', () => {
    expect(duplicates).toEqual([])
  })

  it('have no empty message', () => {
    const empty = (o: object) => keys(o).filter((k) => k.split('.').reduce<any>((a, p) => a?.[p], o) === '')
    expect(empty(zh)).toEqual([])
    expect(empty(en)).toEqual([])
  })

  it('hold every literal key the code uses', () => {
    const src = join(import.meta.dirname, '../src')
    const used = new Set<string>()
    const call = /\bt\(\s*'([a-zA-Z0-9_.]+)'/g
    const meta = /\b(?:title|group|label):\s*'([a-z][a-zA-Z0-9]*\.[a-zA-Z0-9_.]+)'/g
    for (const f of files(src)) {
      if (f.includes('/i18n/') || f.endsWith('.d.ts')) continue
      const text = readFileSync(f, 'utf8')
      for (const re of [call, meta]) for (const m of text.matchAll(re)) used.add(m[1])
    }
    expect(used.size).toBeGreaterThan(50)
    const parents = new Set([...zhKeys].flatMap((k) => k.split('.').slice(1).map((_, i, a) => k.split('.').slice(0, a.length - i).join('.'))))
    expect([...used].filter((k) => !zhKeys.has(k) && !parents.has(k))).toEqual([])
  })
})
