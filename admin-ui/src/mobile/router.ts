// The pages of the mobile web, one task each; all but the login need a session.
import { createRouter, createWebHistory } from 'vue-router'
import { useAuth } from '@/stores/auth'

export const router = createRouter({
  history: createWebHistory('/m/'),
  routes: [
    { path: '/login', name: 'm-login', component: () => import('./views/MLogin.vue'), meta: { public: true } },
    { path: '/', name: 'm-report', component: () => import('./views/MReport.vue'), meta: { title: 'm.nav.report' } },
    { path: '/self', name: 'm-self', component: () => import('./views/MReport.vue'), props: { selfHandled: true }, meta: { title: 'm.nav.self' } },
    { path: '/tasks/:kind(verify|check)', name: 'm-tasks', component: () => import('./views/MTasks.vue'), props: true, meta: { title: 'm.nav.tasks' } },
    { path: '/cases/:id', name: 'm-case', component: () => import('./views/MTask.vue'), props: true, meta: { title: 'm.task.title' } },
    { path: '/mine', name: 'm-mine', component: () => import('./views/MMine.vue'), meta: { title: 'm.nav.mine' } },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  const auth = useAuth()
  if (!to.meta.public && !auth.loggedIn) return { name: 'm-login', query: { redirect: to.fullPath } }
  return true
})
