// English — complete: every key of zh-CN.ts (a unit test checks).
export default {
  app: { name: 'UrbanGrid', tagline: 'Digital urban management for cities and their counties' },
  common: {
    search: 'Search', reset: 'Reset', add: 'New', import: 'Import', export: 'Export', edit: 'Edit', delete: 'Delete',
    save: 'Save', cancel: 'Cancel', confirm: 'OK', close: 'Close', actions: 'Actions', columns: 'Columns',
    empty: 'No data', prev: 'Previous', next: 'Next', pageN: 'Page {n}', yes: 'Yes', no: 'No',
    unexpected: 'Something went wrong; please try again', unavailable: 'The service is unavailable; please try again shortly',
    notFound: 'Page not found', backHome: 'Back to the start', saved: 'Saved', created: 'Created', deleted: 'Deleted',
    loading: 'Loading…', confirmDelete: 'Delete “{name}”? This cannot be undone.', status: 'Status', name: 'Name',
    code: 'Code', createdAt: 'Created', updatedAt: 'Updated', details: 'Details', refresh: 'Refresh', download: 'Download',
    dryRun: 'Dry run (check only, write nothing)', done: 'Done', missing: 'Missing', retry: 'Retry',
  },
  login: {
    title: 'Log in', tenant: 'Organisation (division)', tenantPlaceholder: 'Search by code or name', username: 'User name',
    password: 'Password', submit: 'Log in',
    errors: {
      missing: 'Choose the organisation and enter your user name and password',
      credentials: 'Wrong organisation, user name or password',
      locked: 'Too many failed attempts: the account is locked for a while; try later or ask an administrator to unlock it',
      suspended: 'This organisation is suspended; contact the administrator above it',
      disabled: 'This account is deactivated; contact your administrator',
    },
    ended: { idle: 'You were logged out after a period without activity; please log in again', expired: 'Your session has expired; please log in again' },
  },
  layout: { logout: 'Log out', toggleMenu: 'Collapse or expand the menu', tenant: 'Organisation shown', ownTenant: 'own' },
  menu: {
    home: 'Home', cities: 'Cities', counties: 'County onboarding', onboarding: 'Onboarding wizard', readiness: 'Readiness',
    base: 'Base data', map: 'Grid map', components: 'Component census', classes: 'Classes', org: 'Organisation',
    departments: 'Departments', users: 'Users and roles', settings: 'Settings', calendar: 'Work calendar',
    timeLimits: 'Time limits', responsibilities: 'Responsibility list', audit: 'Audit log', profile: 'Profile',
  },
  profile: {
    changePassword: 'Change password', currentPassword: 'Current password', newPassword: 'New password',
    confirmPassword: 'Confirm new password',
    passwordRule: 'At least 10 characters with three of: upper case, lower case, digits, symbols; not containing the user name',
    mismatch: 'The two new passwords differ', passwordChanged: 'Password changed; your other sessions were ended',
    account: 'Account', roles: 'Roles', tenant: 'Organisation', department: 'Department',
  },
  home: { nothing: 'Your account has no page to open in this organisation; ask an administrator for a role' },
  users: {
    displayName: 'Display name', mobile: 'Mobile', email: 'E-mail', staffNumber: 'Staff number', new: 'New user', edit: 'Edit user',
    resetPassword: 'Reset password', resetHint: 'Leave empty to keep it; a reset also lifts a login lockout', unlock: 'Unlock',
    confirmUnlock: 'Lift the login lockout of “{name}”?', unlocked: 'Unlocked', importTitle: 'Import users from a template',
    templateCsv: 'Download CSV template', templateXlsx: 'Download Excel template',
    status: { active: 'Active', deactivated: 'Deactivated' },
  },
  departments: {
    uscc: 'Unified social credit code', shared: 'Shared with counties', sharedYes: 'Shared', new: 'New department', edit: 'Edit department',
    usccHint: '18 characters, the last one a check character (GB 32100)', sharedHint: 'Counties may dispatch cases to a shared city department',
  },
  imports: {
    line: 'Line', field: 'Field', reason: 'Reason', check: 'Check', run: 'Import', dryRunOk: 'Check passed: all {rows} rows are valid and can be imported',
    done: 'Imported: {written} rows written', progress: '{read} rows read, {valid} valid, {failed} failed',
  },
}
