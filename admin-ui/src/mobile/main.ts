// The collector's mobile web (城管通), its own entry at /m/: phone-first pages without the
// desktop console's Element Plus. It shares the console's API client, auth store and message
// catalogues; the session is kept in localStorage (a phone app is closed and reopened all day).
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { i18n } from '@/i18n'
import { keepSessionIn } from '@/stores/auth'
import MobileApp from './MobileApp.vue'
import { router } from './router'
import { startSync } from './sync'
import './mobile.css'

keepSessionIn(localStorage)
const app = createApp(MobileApp)
app.use(createPinia())
app.use(i18n)
app.use(router)
app.mount('#app')
document.documentElement.lang = i18n.global.locale.value

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => undefined)
}
startSync()
