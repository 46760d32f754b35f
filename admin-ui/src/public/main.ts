// The public page 随手拍 (no login, no app): /h5/<county code> to report a problem, and
// /h5/<county code>/<tracking code> to follow it — short enough for a QR code. Its own small
// bundle; the map (OpenLayers) loads only when the citizen opens it.
import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { i18n } from '@/i18n'
import PublicApp from './PublicApp.vue'
import '@/mobile/mobile.css'

const router = createRouter({
  history: createWebHistory('/h5/'),
  routes: [
    { path: '/', name: 'h5-home', component: () => import('./PHome.vue') },
    { path: '/:county(\\d{6})', name: 'h5-report', component: () => import('./PReport.vue'), props: true },
    { path: '/:county(\\d{6})/:code', name: 'h5-status', component: () => import('./PStatus.vue'), props: true },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

createApp(PublicApp).use(i18n).use(router).mount('#app')
document.documentElement.lang = i18n.global.locale.value
