// How a notification reads: its kind and parameters (the server sends no text) turned into a
// message of the current language, and the icon of its kind. Pure, so the bell and the browser
// notification say the same thing and a unit test can check every kind.
import type { Schemas } from '@/api/client'

export type NotificationView = Schemas['NotificationView']
type Translate = (key: string, values?: Record<string, unknown>) => string

const ICONS: Record<NotificationView['kind'], string> = {
  task_dispatched: 'Promotion',
  verification_task: 'Search',
  check_task: 'Checked',
  deadline_yellow: 'AlarmClock',
  deadline_red: 'WarnTriangleFilled',
  supervision_order: 'Flag',
  approval_waiting: 'Stamp',
  import_finished: 'Upload',
}

export function notificationIcon(n: Pick<NotificationView, 'kind'>): string {
  return ICONS[n.kind] ?? 'Bell'
}

/** The colour class of a kind: deadlines and orders stand out. */
export function notificationTone(n: Pick<NotificationView, 'kind'>): 'danger' | 'warning' | 'primary' {
  if (n.kind === 'deadline_red' || n.kind === 'supervision_order') return 'danger'
  if (n.kind === 'deadline_yellow' || n.kind === 'approval_waiting') return 'warning'
  return 'primary'
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v == null ? '' : String(v)
}

export function notificationText(n: NotificationView, t: Translate): string {
  const p = (n.params ?? {}) as Record<string, unknown>
  const number = n.case_number ?? ''
  switch (n.kind) {
    case 'task_dispatched': {
      const via = ['dispatch', 'claim', 'rework'].includes(str(p.via)) ? str(p.via) : 'dispatch'
      return t(`notify.kind.task_dispatched.${via}`, { number })
    }
    case 'supervision_order':
      return t(p.from_city ? 'notify.kind.supervision_order_city' : 'notify.kind.supervision_order', { number, note: str(p.note) })
    case 'approval_waiting': {
      const request = ['extension', 'return', 'suspension', 'void'].includes(str(p.request)) ? str(p.request) : 'extension'
      return t('notify.kind.approval_waiting', { number, request: t(`notify.request.${request}`) })
    }
    case 'import_finished':
      return t(p.status === 'failed' ? 'notify.kind.import_finished.failed' : 'notify.kind.import_finished.succeeded', { message: str(p.message) })
    default:
      return t(`notify.kind.${n.kind}`, { number })
  }
}
