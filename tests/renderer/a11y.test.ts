import { describe, expect, it } from 'vitest'
import { announce, announcement, repairCardHeadings, syncAriaSort } from '@renderer/lib/a11y'

describe('a11y repairs', () => {
  it('gives Naive card titles a level and unmarks the outer header, idempotently', () => {
    const root = document.createElement('div')
    root.innerHTML =
      '<div class="n-card-header" role="heading"><div class="n-card-header__main" role="heading">T</div>' +
      '<button>x</button></div>'
    repairCardHeadings(root)
    repairCardHeadings(root)
    expect(root.querySelector('.n-card-header')?.getAttribute('role')).toBeNull()
    const main = root.querySelector('.n-card-header__main')
    expect([main?.getAttribute('role'), main?.getAttribute('aria-level')]).toEqual(['heading', '2'])
  })

  it('puts aria-sort on the sorted th only, and none on the others', () => {
    const root = document.createElement('table')
    root.innerHTML = '<tr><th data-col-key="a"></th><th data-col-key="b"></th></tr>'
    syncAriaSort(root, ['a', 'b', 'missing'], { key: 'b', order: 'descend' })
    const sortOf = (k: string) => root.querySelector(`th[data-col-key="${k}"]`)?.getAttribute('aria-sort')
    expect([sortOf('a'), sortOf('b')]).toEqual(['none', 'descending'])
    syncAriaSort(root, ['a', 'b'], null)
    expect([sortOf('a'), sortOf('b')]).toEqual(['none', 'none'])
    expect(() => syncAriaSort(null, ['a'], null)).not.toThrow()
  })

  it('announces the same text twice as two changes', () => {
    announce('Ended a.')
    const first = announcement.value
    announce('Ended a.')
    expect(announcement.value).not.toBe(first)
    expect(announcement.value.replace('\u200b', '')).toBe('Ended a.')
  })
})
