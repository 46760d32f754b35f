import { describe, expect, it } from 'vitest'
import { allows } from '@/stores/permissions'

describe('allows', () => {
  const admin = ['user:*', 'case:read', 'descendant/*:read', 'descendant/department:*']
  it('matches resource and action, with * for either', () => {
    expect(allows(admin, 'user:write')).toBe(true)
    expect(allows(admin, 'case:read')).toBe(true)
    expect(allows(admin, 'case:write')).toBe(false)
  })
  it('counts only descendant permissions in a tenant beneath', () => {
    expect(allows(admin, 'user:write', true)).toBe(false)
    expect(allows(admin, 'case:read', true)).toBe(true)
    expect(allows(admin, 'department:write', true)).toBe(true)
    expect(allows(admin, 'case:write', true)).toBe(false)
  })
  it('opens pages that need no permission, and nothing to a caller without any', () => {
    expect(allows([], undefined)).toBe(true)
    expect(allows([], 'grid:read')).toBe(false)
  })
})
