// Every page of the console, with what it needs to be shown: `perm` (the server's
// `resource:action`, see stores/permissions.ts) and `levels` (the tenant levels where the page
// makes sense). The side menu is these routes filtered by both — never by role names.
import type { RouteRecordRaw } from 'vue-router'

export type Level = 'platform' | 'city' | 'county'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title (menu, tab, breadcrumb). */
    title?: string
    perm?: string
    levels?: Level[]
    /** Menu group (i18n key); pages without `menu: false` appear in the side menu. */
    group?: string
    menu?: boolean
    icon?: string
    /** A station's workbench: where its staff land (HomeView), ahead of the menu's order. */
    workbench?: boolean
    /** `false`: never a landing page (a list open to all, such as 案件查询). */
    landing?: boolean
    public?: boolean
  }
}

export const pages: RouteRecordRaw[] = [
  { path: 'cities', name: 'cities', component: () => import('@/views/tenants/CitiesView.vue'),
    meta: { title: 'menu.cities', perm: 'descendant/tenant:write', levels: ['platform'], icon: 'OfficeBuilding' } },
  { path: 'counties', name: 'counties', component: () => import('@/views/onboarding/CountiesView.vue'),
    meta: { title: 'menu.counties', perm: 'descendant/tenant:read', levels: ['city'], icon: 'Guide' } },
  { path: 'onboarding/:code', name: 'onboarding', component: () => import('@/views/onboarding/WizardView.vue'),
    meta: { title: 'menu.onboarding', perm: 'descendant/tenant:read', levels: ['city'], menu: false } },
  { path: 'readiness', name: 'readiness', component: () => import('@/views/onboarding/ReadinessView.vue'),
    meta: { title: 'menu.readiness', perm: 'tenant:write', levels: ['county'], icon: 'Finished' } },
  // — the case loop: workbenches, case lists and the case page —
  // The stations' permissions (`case:intake` …) say who staffs which workbench; what can be done
  // to a case is still its `available_actions`.
  { path: 'workbench/intake', name: 'intake', component: () => import('@/views/workbench/WorkbenchView.vue'), props: { station: 'intake' },
    meta: { title: 'menu.intake', perm: 'case:intake', levels: ['county'], icon: 'Tickets', workbench: true } },
  { path: 'workbench/dispatch', name: 'dispatch', component: () => import('@/views/workbench/WorkbenchView.vue'), props: { station: 'dispatch' },
    meta: { title: 'menu.dispatch', perm: 'case:dispatch', levels: ['county'], icon: 'Promotion', workbench: true } },
  { path: 'workbench/approvals', name: 'approvals', component: () => import('@/views/workbench/WorkbenchView.vue'), props: { station: 'approvals' },
    meta: { title: 'menu.approvals', perm: 'case:dispatch', levels: ['county'], icon: 'Stamp' } },
  { path: 'workbench/tasks', name: 'tasks', component: () => import('@/views/workbench/WorkbenchView.vue'), props: { station: 'tasks' },
    meta: { title: 'menu.tasks', perm: 'case:handle', levels: ['county'], icon: 'Suitcase', workbench: true } },
  { path: 'my-reports', name: 'my-reports', component: () => import('@/views/cases/MyReportsView.vue'),
    meta: { title: 'menu.myReports', perm: 'case:patrol', levels: ['county'], icon: 'Iphone', workbench: true } },
  { path: 'cases', name: 'case-search', component: () => import('@/views/cases/CaseSearchView.vue'),
    meta: { title: 'menu.caseSearch', perm: 'case:read', levels: ['county'], icon: 'Search', landing: false } },
  { path: 'cases/:id', name: 'case', component: () => import('@/views/cases/CaseDetailView.vue'),
    meta: { title: 'menu.case', perm: 'case:read', levels: ['county'], menu: false } },
  { path: 'map', name: 'map', component: () => import('@/views/grids/FrameMapView.vue'),
    meta: { title: 'menu.map', perm: 'grid:read', levels: ['county'], group: 'menu.base', icon: 'MapLocation' } },
  { path: 'components', name: 'components', component: () => import('@/views/census/ComponentsView.vue'),
    meta: { title: 'menu.components', perm: 'component:read', levels: ['county'], group: 'menu.base', icon: 'Box' } },
  { path: 'classes', name: 'classes', component: () => import('@/views/catalog/ClassesView.vue'),
    meta: { title: 'menu.classes', perm: 'catalog:read', levels: ['city', 'county'], group: 'menu.base', icon: 'Collection' } },
  { path: 'departments', name: 'departments', component: () => import('@/views/org/DepartmentsPanel.vue'),
    // The organisation pages are for those who see who holds which role (administrators,
    // auditors); the loop's roles read departments through their workbenches.
    meta: { title: 'menu.departments', perm: 'role_assignment:read', levels: ['city', 'county'], group: 'menu.org', icon: 'School' } },
  { path: 'users', name: 'users', component: () => import('@/views/org/UsersPanel.vue'),
    meta: { title: 'menu.users', perm: 'user:read', levels: ['platform', 'city', 'county'], group: 'menu.org', icon: 'User' } },
  { path: 'settings/calendar', name: 'calendar', component: () => import('@/views/settings/CalendarView.vue'),
    meta: { title: 'menu.calendar', perm: 'tenant:write', levels: ['county'], group: 'menu.settings', icon: 'Calendar' } },
  { path: 'settings/time-limits', name: 'time-limits', component: () => import('@/views/settings/TimeLimitsView.vue'),
    meta: { title: 'menu.timeLimits', perm: 'tenant:write', levels: ['county'], group: 'menu.settings', icon: 'Timer' } },
  { path: 'settings/responsibilities', name: 'responsibilities', component: () => import('@/views/settings/ResponsibilitiesView.vue'),
    meta: { title: 'menu.responsibilities', perm: 'tenant:write', levels: ['county'], group: 'menu.settings', icon: 'List' } },
  // — dashboards, evaluation, the city's oversight, the big screen —
  // (the scheme first: it belongs to the settings group just above)
  { path: 'evaluation/scheme', name: 'evaluation-scheme', component: () => import('@/views/evaluation/SchemeEditor.vue'),
    meta: { title: 'menu.scheme', perm: 'tenant:write', levels: ['city', 'county'], group: 'menu.settings', icon: 'Operation' } },
  { path: 'dashboard', name: 'dashboard', component: () => import('@/views/dashboard/DashboardView.vue'),
    meta: { title: 'menu.dashboard', perm: 'dashboard:read', levels: ['city', 'county'], icon: 'DataAnalysis' } },
  { path: 'oversight', name: 'oversight', component: () => import('@/views/oversight/OversightView.vue'),
    meta: { title: 'menu.oversight', perm: 'evaluation:read', levels: ['city'], icon: 'DataBoard' } },
  { path: 'evaluation', name: 'evaluation', component: () => import('@/views/evaluation/EvaluationView.vue'),
    meta: { title: 'menu.evaluation', perm: 'evaluation:read', levels: ['city', 'county'], icon: 'TrendCharts' } },
  { path: 'directives', name: 'directives', component: () => import('@/views/oversight/DirectivesView.vue'),
    meta: { title: 'menu.directives', perm: 'evaluation:read', levels: ['city', 'county'], icon: 'Bell' } },
  { path: 'audit', name: 'audit', component: () => import('@/views/audit/AuditView.vue'),
    meta: { title: 'menu.audit', perm: 'audit:read', levels: ['platform', 'city', 'county'], icon: 'Document' } },
  // — notifications —
  { path: 'profile', name: 'profile', component: () => import('@/views/profile/ProfileView.vue'),
    meta: { title: 'menu.profile', menu: false } },
]

/** Full-screen pages outside the shell (no menu), with the same `perm` / `levels` checks: the
 * command hall's big screen (dashboards section). */
export const screens: RouteRecordRaw[] = [
  { path: '/bigscreen', name: 'bigscreen', component: () => import('@/views/dashboard/BigScreenView.vue'),
    meta: { title: 'menu.bigscreen', perm: 'dashboard:read', levels: ['city', 'county'] } },
]

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/login/LoginView.vue'), meta: { public: true, title: 'login.title' } },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/views/HomeView.vue'), meta: { title: 'menu.home', menu: false } },
      ...pages,
    ],
  },
  ...screens,
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { public: true, title: 'common.notFound' } },
]
