import { describe, expect, it } from 'vitest'
import { announce, announcement, repairCardHeadings } from '@renderer/lib/a11y'

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

  it('announces the same text twice as two changes', () => {
    announce('Ended a.')
    const first = announcement.value
    announce('Ended a.')
    expect(announcement.value).not.toBe(first)
    expect(announcement.value.replace('\u200b', '')).toBe('Ended a.')
  })
})
