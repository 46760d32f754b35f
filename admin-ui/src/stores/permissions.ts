// Permission strings as the server lists them in `/api/v1/me`: `resource:action` in the
// caller's own tenant, `descendant/resource:action` in the tenants beneath it. `*` stands for
// any resource or action, as in the casbin policies they come from.

function matches(held: string, wanted: string): boolean {
  const [hr, ha] = held.split(':')
  const [wr, wa] = wanted.split(':')
  const resOk = hr === wr || hr === '*' || (hr.endsWith('/*') && wr.startsWith(hr.slice(0, -1)))
  return resOk && (ha === wa || ha === '*')
}

/** Whether `held` allows `wanted`; with `descendant`, the page shows a tenant beneath the
 * caller's own, where only `descendant/…` permissions count. No `wanted` means open to all. */
export function allows(held: readonly string[], wanted: string | undefined, descendant = false): boolean {
  if (!wanted) return true
  const target = descendant ? `descendant/${wanted}` : wanted
  return held.some((h) => matches(h, target))
}
