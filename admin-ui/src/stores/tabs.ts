// The tabs of open pages above the content (as RuoYi's tags view): opened by navigation,
// closed by the user; the home tab stays.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface Tab {
  path: string
  name: string
  title: string
}

export const useTabs = defineStore('tabs', () => {
  const tabs = ref<Tab[]>([])

  function open(tab: Tab) {
    const i = tabs.value.findIndex((t) => t.name === tab.name)
    if (i >= 0) tabs.value[i] = tab
    else tabs.value.push(tab)
  }

  /** Closes a tab and answers the path to show next (the neighbour), if it was the current one. */
  function close(name: string, current: string): string | null {
    const i = tabs.value.findIndex((t) => t.name === name)
    if (i < 0) return null
    tabs.value.splice(i, 1)
    if (name !== current) return null
    const next = tabs.value[i] ?? tabs.value[i - 1]
    return next?.path ?? '/'
  }

  function clear() {
    tabs.value = []
  }

  return { tabs, open, close, clear }
})
