// The workbenches of the loop's stations: each is the same page (WorkbenchView) with its own
// queues. A queue is a fixed part of the case list's query (states, a pending request); which
// actions a case offers is still the server's `available_actions`.
import type { CaseQuery } from '@/composables/caseFilters'

export interface Queue {
  id: string
  /** i18n key of the tab */
  label: string
  fixed: CaseQuery
  /** i18n key of what an empty queue tells the user */
  empty: string
}

export interface Station {
  id: 'intake' | 'dispatch' | 'approvals' | 'tasks'
  title: string
  queues: Queue[]
  /** Show likely duplicates (with a one-click merge) beside the selected case. */
  duplicates?: boolean
}

export const STATIONS: Record<Station['id'], Station> = {
  intake: {
    id: 'intake', title: 'menu.intake', duplicates: true,
    queues: [
      { id: 'new', label: 'cases.queue.new', fixed: { state: 'reported,verifying' }, empty: 'cases.empty.new' },
      { id: 'accepted', label: 'cases.queue.accepted', fixed: { state: 'accepted' }, empty: 'cases.empty.accepted' },
      { id: 'closing', label: 'cases.queue.closing', fixed: { state: 'handled,checking,checked,self_handled' }, empty: 'cases.empty.closing' },
      { id: 'void', label: 'cases.queue.void', fixed: { pending: 'void' }, empty: 'cases.empty.approvals' },
      { id: 'callback', label: 'cases.queue.callback', fixed: { state: 'closed', source: 'public' }, empty: 'cases.empty.callback' },
    ],
  },
  dispatch: {
    id: 'dispatch', title: 'menu.dispatch',
    queues: [
      { id: 'filed', label: 'cases.queue.filed', fixed: { state: 'filed' }, empty: 'cases.empty.filed' },
      { id: 'dispatched', label: 'cases.queue.dispatched', fixed: { state: 'dispatched,suspended' }, empty: 'cases.empty.dispatched' },
      // 督办件: open cases under a supervision order (the county's own or the city's).
      { id: 'supervised', label: 'cases.queue.supervised', fixed: { state: 'filed,dispatched,suspended,handled,checking,checked', supervised: true }, empty: 'cases.empty.supervised' },
    ],
  },
  approvals: {
    id: 'approvals', title: 'menu.approvals',
    queues: [
      { id: 'return', label: 'cases.queue.return', fixed: { pending: 'return' }, empty: 'cases.empty.approvals' },
      { id: 'extension', label: 'cases.queue.extension', fixed: { pending: 'extension' }, empty: 'cases.empty.approvals' },
      { id: 'suspension', label: 'cases.queue.suspension', fixed: { pending: 'suspension' }, empty: 'cases.empty.approvals' },
    ],
  },
  tasks: {
    id: 'tasks', title: 'menu.tasks',
    queues: [
      { id: 'mine', label: 'cases.queue.mine', fixed: { state: 'dispatched,suspended' }, empty: 'cases.empty.mine' },
      { id: 'claimable', label: 'cases.queue.claimable', fixed: { state: 'filed' }, empty: 'cases.empty.claimable' },
    ],
  },
}
