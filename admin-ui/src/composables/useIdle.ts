// Logs the user out after `minutes` without keyboard, mouse or touch input.
import { onBeforeUnmount, onMounted } from 'vue'

export function useIdle(minutes: number, onIdle: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const events = ['mousemove', 'mousedown', 'keydown', 'touchstart', 'wheel']
  const reset = () => {
    clearTimeout(timer)
    timer = setTimeout(onIdle, minutes * 60_000)
  }
  onMounted(() => {
    events.forEach((e) => window.addEventListener(e, reset, { passive: true }))
    reset()
  })
  onBeforeUnmount(() => {
    clearTimeout(timer)
    events.forEach((e) => window.removeEventListener(e, reset))
  })
}
