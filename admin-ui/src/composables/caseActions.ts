// The case's `available_actions` (the server's list of what the caller may do now, with the
// fields each command carries) turned into buttons and one form. Nothing here knows the workflow
// table: which actions exist in which state is the server's; this file only knows how to ask a
// person for a field of a given name, and how to send the answer.
import type { Schemas } from '@/api/client'

export type Available = Schemas['Available']
export type ActionCode = Available['action']

/** How a field is asked for. */
export type FieldKind = 'text' | 'textarea' | 'bool' | 'number' | 'class' | 'department' | 'case' | 'photos' | 'datetime' | 'rating'

export interface FieldSpec {
  name: string
  kind: FieldKind
  required: boolean
}

/** The input of each command field, by its name (fields unknown here are asked as text). */
const KINDS: Record<string, FieldKind> = {
  reason: 'textarea',
  note: 'textarea',
  found: 'bool',
  passed: 'bool',
  class_code: 'class',
  condition: 'textarea',
  department: 'department',
  photos: 'photos',
  hours: 'number',
  into: 'case',
  due: 'datetime',
  satisfaction: 'rating',
}

/** The fields of an action, required first, in the server's order. */
export function fieldsOf(a: Available): FieldSpec[] {
  return [
    ...a.required.map((name) => ({ name, kind: KINDS[name] ?? 'text', required: true })),
    ...a.optional.map((name) => ({ name, kind: KINDS[name] ?? 'text', required: false })),
  ]
}

/** Whether the action needs a dialog (a field to fill, or a step worth confirming). */
export function needsForm(a: Available): boolean {
  return a.required.length + a.optional.length > 0
}

/** A field's starting value: booleans start true (found / passed), the rest empty. */
export function initialValue(f: FieldSpec): unknown {
  switch (f.kind) {
    case 'bool': return true
    case 'photos': return []
    case 'rating': return 5
    default: return f.required ? '' : undefined
  }
}

export type Values = Record<string, unknown>

function empty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)
}

/** The required fields still empty (a bool is never empty). */
export function missing(fields: FieldSpec[], values: Values): string[] {
  return fields.filter((f) => f.required && f.kind !== 'bool' && empty(values[f.name])).map((f) => f.name)
}

/** The body to send: `action` and each filled field, typed as the command wants it. */
export function commandOf(action: ActionCode, fields: FieldSpec[], values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = { action }
  for (const f of fields) {
    const v = values[f.name]
    if (f.kind === 'bool') body[f.name] = Boolean(v)
    else if (empty(v)) continue
    else if (f.kind === 'number' || f.kind === 'rating') body[f.name] = Number(v)
    else if (f.kind === 'datetime') body[f.name] = new Date(String(v)).toISOString()
    else if (typeof v === 'string') body[f.name] = v.trim()
    else body[f.name] = v
  }
  return body
}

/** `supervise` has its own route (…/supervision-orders); every other action is …/actions. */
export function routeOf(action: ActionCode): 'actions' | 'supervision-orders' {
  return action === 'supervise' ? 'supervision-orders' : 'actions'
}

/** Actions that end or turn a case away: shown as danger buttons. */
const DANGER = new Set<string>(['reject', 'request_void', 'approve_void', 'merge', 'refuse_extension', 'refuse_return', 'refuse_suspension', 'refuse_void'])
/** The step forward each station takes most: the primary button. */
const PRIMARY = new Set<string>(['accept', 'file', 'dispatch', 'claim', 'handle', 'close', 'send_check', 'send_verification', 'approve_extension', 'approve_return', 'approve_suspension', 'check', 'verify'])

export function buttonType(action: ActionCode): 'danger' | 'primary' | 'default' {
  if (DANGER.has(action)) return 'danger'
  if (PRIMARY.has(action)) return 'primary'
  return 'default'
}

/** Keyboard shortcuts of the main actions (the "?" overlay lists them). */
export const ACTION_KEYS: Partial<Record<ActionCode, string>> = {
  accept: 'a',
  file: 'f',
  reject: 'r',
  dispatch: 'd',
  send_verification: 'v',
  send_check: 's',
  close: 'x',
  claim: 'c',
  handle: 'h',
}

/** The action a key press takes, if the case offers it. */
export function actionForKey(key: string, available: Available[]): Available | undefined {
  const k = key.toLowerCase()
  return available.find((a) => ACTION_KEYS[a.action] === k)
}
