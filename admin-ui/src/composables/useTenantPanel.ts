// A panel that works on one tenant: the page's (the tenant shown) or the one it is given (the
// county a wizard step sets up), and whether the caller may change it there.
import { computed } from 'vue'
import { useAuth } from '@/stores/auth'

export function useTenantPanel(props: { tenant?: string }, writePerm: string) {
  const auth = useAuth()
  const code = computed(() => props.tenant ?? auth.tenant)
  const writable = computed(() => auth.canIn(code.value, writePerm))
  return { auth, code, writable }
}
