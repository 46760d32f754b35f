// The two message catalogues: the shell's (zh-CN.ts, en.ts) merged with one file per area under
// areas/ (each `export default { 'zh-CN': {...}, en: {...} }`), so that work on one area never
// edits another area's catalogue. A key defined twice is a mistake the unit test reports.
import zhShell from './zh-CN'
import enShell from './en'

type Tree = { [k: string]: string | Tree }
type Area = { 'zh-CN': Tree; en: Tree }

const areas = Object.values(import.meta.glob<{ default: Area }>('./areas/*.ts', { eager: true })).map((m) => m.default)

/** Keys present in more than one source (reported by tests/i18n.test.ts). */
export const duplicates: string[] = []

function merge(into: Tree, from: Tree, prefix = ''): Tree {
  for (const [k, v] of Object.entries(from)) {
    const have = into[k]
    if (typeof v === 'object' && typeof have === 'object') merge(have, v, `${prefix}${k}.`)
    else if (have !== undefined) duplicates.push(`${prefix}${k}`)
    else into[k] = typeof v === 'object' ? merge({}, v) : v
  }
  return into
}

export const zh: Tree = areas.reduce((acc, a) => merge(acc, a['zh-CN']), merge({}, zhShell as Tree))
export const en: Tree = areas.reduce((acc, a) => merge(acc, a.en), merge({}, enShell as Tree))
