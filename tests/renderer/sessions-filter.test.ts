import { describe, expect, it } from 'vitest'
import { byLastActivity, filterSessions, isFiltered, NO_FILTER } from '@renderer/lib/sessions'
import { makeSession } from './support/sessions'

const rows = [
  makeSession({ resourceName: 'db-prod', resourceType: 'ssh', status: 'active', location: 'Berlin, DE' }),
  makeSession({ resourceName: 'win-desk', resourceType: 'rdp', status: 'idle', ipAddress: '198.51.100.7' }),
  makeSession({ resourceName: 'grafana', resourceType: 'web', status: 'active', user: null }),
]
const names = (list: { resourceName: string }[]) => list.map((s) => s.resourceName)

describe('filterSessions', () => {
  it('keeps everything, in order, with no filter', () => {
    expect(names(filterSessions(rows, NO_FILTER))).toEqual(['db-prod', 'win-desk', 'grafana'])
    expect(isFiltered(NO_FILTER)).toBe(false)
  })

  it('matches every word of the text, case-blind, in names, addresses and places', () => {
    expect(names(filterSessions(rows, { ...NO_FILTER, text: 'DB' }))).toEqual(['db-prod'])
    expect(names(filterSessions(rows, { ...NO_FILTER, text: '198.51.100' }))).toEqual(['win-desk'])
    expect(names(filterSessions(rows, { ...NO_FILTER, text: 'berlin prod' }))).toEqual(['db-prod'])
    expect(names(filterSessions(rows, { ...NO_FILTER, text: 'berlin nowhere' }))).toEqual([])
    expect(isFiltered({ ...NO_FILTER, text: '  ' })).toBe(false)
  })

  it('narrows by type and status, each list meaning "any of these"', () => {
    expect(names(filterSessions(rows, { ...NO_FILTER, types: ['ssh', 'web'] }))).toEqual([
      'db-prod',
      'grafana',
    ])
    expect(names(filterSessions(rows, { ...NO_FILTER, statuses: ['idle'] }))).toEqual(['win-desk'])
    expect(names(filterSessions(rows, { text: 'a', types: ['web'], statuses: ['active'] }))).toEqual([
      'grafana',
    ])
    expect(isFiltered({ ...NO_FILTER, types: ['rdp'] })).toBe(true)
  })
})

describe('byLastActivity', () => {
  it('orders by the last traffic, oldest first', () => {
    const a = makeSession({ resourceName: 'a', lastActivity: '2026-03-04T14:10:00.000Z' })
    const b = makeSession({ resourceName: 'b', lastActivity: '2026-03-04T14:00:00.000Z' })
    expect(names([a, b].sort(byLastActivity))).toEqual(['b', 'a'])
  })
})
