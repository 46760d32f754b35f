import { createI18n } from 'vue-i18n'
import { en, zh } from './messages'

export type Locale = 'zh-CN' | 'en'
export const LOCALES: Locale[] = ['zh-CN', 'en']
const KEY = 'urbangrid.locale'

function initial(): Locale {
  const saved = localStorage.getItem(KEY)
  return saved === 'en' || saved === 'zh-CN' ? saved : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
  missingWarn: true,
})

export function setLocale(l: Locale) {
  i18n.global.locale.value = l
  localStorage.setItem(KEY, l)
  document.documentElement.lang = l
}
