// The onboarding wizard's steps and the readiness items each one settles (the server's
// `…/readiness` keys). A step is done when all its items are green.
export interface Step {
  key: string
  /** i18n key */
  title: string
  items: string[]
}

export const STEPS: Step[] = [
  { key: 'county', title: 'wizard.steps.county', items: [] },
  { key: 'departments', title: 'wizard.steps.departments', items: ['departments'] },
  { key: 'users', title: 'wizard.steps.users', items: ['users.supervision-center', 'users.command-center', 'users.department', 'users.collector'] },
  { key: 'grids', title: 'wizard.steps.grids', items: ['streets', 'communities', 'unit_grids', 'communities_gridded'] },
  { key: 'duty', title: 'wizard.steps.duty', items: ['duty_grids_staffed', 'duty_grids_cover'] },
  { key: 'census', title: 'wizard.steps.census', items: ['census'] },
  { key: 'settings', title: 'wizard.steps.settings', items: ['work_calendar', 'time_limits', 'responsibilities'] },
  { key: 'readiness', title: 'wizard.steps.readiness', items: [] },
]
