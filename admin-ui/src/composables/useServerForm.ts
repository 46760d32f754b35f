// Sends a form and puts the server's field errors on the fields they name (`errors.username`,
// `errors['admin.password']`); an error that names no field becomes one message.
import { reactive, ref } from 'vue'
import { ElMessage } from 'element-plus'
import { ApiError } from '@/api/client'

export function useServerForm() {
  const errors = reactive<Record<string, string>>({})
  const busy = ref(false)

  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }

  /** Runs `send`; true when it succeeded. Field errors land in `errors`. */
  async function submit(send: () => Promise<unknown>): Promise<boolean> {
    clear()
    busy.value = true
    try {
      await send()
      return true
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) Object.assign(errors, e.byField())
      ElMessage.error(e instanceof ApiError ? e.detail : String(e))
      return false
    } finally {
      busy.value = false
    }
  }

  return { errors, busy, submit, clear }
}
