// `v-perm="'user:write'"`: removes the element unless the caller holds the permission in the
// tenant shown now (as RuoYi's v-hasPermi). The server refuses anyway; this hides the button.
import type { Directive } from 'vue'
import { useAuth } from '@/stores/auth'

export const perm: Directive<HTMLElement, string> = {
  mounted(el, binding) {
    if (!useAuth().can(binding.value)) el.parentNode?.removeChild(el)
  },
}
