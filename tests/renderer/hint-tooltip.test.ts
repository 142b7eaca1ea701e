import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { h, nextTick } from 'vue'
import HintTooltip from '@renderer/components/HintTooltip.vue'

// The window's own tooltip (issue 15: rows draw no naive-ui NTooltip): it opens on hover and on focus,
// describes its trigger to screen readers, stays inside the window and closes on a scroll under it.

let w: VueWrapper | null = null
afterEach(() => {
  w?.unmount()
  w = null
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

const popup = (): HTMLElement | null => document.querySelector<HTMLElement>('[data-hint-popup]')

/** A trigger whose box is `left`…`left + 20` px, rows 100–120; the tip itself `width` px wide. */
function mountAt(left: number, width: number, placement: 'top' | 'bottom' = 'top'): VueWrapper {
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
    const tip = this.hasAttribute('data-hint-popup')
    const x = tip ? Number.parseFloat(this.style.left) - width / 2 : left
    return DOMRect.fromRect({ x, y: 100, width: tip ? width : 20, height: 20 })
  })
  return mount(HintTooltip, {
    props: { hint: 'Forwards ports', name: 'flag', placement },
    slots: { default: () => h('span', 'Tunnel') },
    attachTo: document.body,
  })
}

describe('HintTooltip', () => {
  it('opens on focus and on hover, says its text as the trigger description, and closes again', async () => {
    w = mountAt(300, 120)
    const trigger = w.get('[data-hint="flag"]')
    expect(popup()).toBeNull()
    const described = document.getElementById(trigger.attributes('aria-describedby') ?? '')
    expect(described?.textContent).toBe('Forwards ports')

    await trigger.trigger('focusin')
    await nextTick()
    expect(popup()?.textContent.trim()).toBe('Forwards ports')
    expect(popup()?.getAttribute('aria-hidden')).toBe('true')
    await trigger.trigger('focusout')
    expect(popup()).toBeNull()

    await trigger.trigger('mouseenter')
    expect(popup()).not.toBeNull()
    await trigger.trigger('mouseleave')
    expect(popup()).toBeNull()
  })

  it('points at the trigger: centred above it, or under it for placement bottom', async () => {
    w = mountAt(300, 120)
    await w.get('[data-hint]').trigger('focusin')
    await nextTick()
    expect(popup()?.style.left).toBe('310px')
    expect(popup()?.style.top).toBe('90px')
    w.unmount()
    w = mountAt(300, 120, 'bottom')
    await w.get('[data-hint]').trigger('focusin')
    await nextTick()
    expect(popup()?.classList.contains('bottom')).toBe(true)
    expect(popup()?.style.top).toBe('130px')
  })

  it('moves inside the window when centring would cross its left edge, the arrow still at the trigger', async () => {
    w = mountAt(10, 300)
    await w.get('[data-hint]').trigger('focusin')
    await nextTick()
    await nextTick()
    // centred at 20 px a 300 px tip would start at -130: it moves 138 px right, to the 8 px margin
    expect(popup()?.style.left).toBe('158px')
    expect(popup()?.style.getPropertyValue('--arrow-x')).toBe('calc(50% - 138px)')
  })

  it('closes when the page scrolls under it', async () => {
    w = mountAt(300, 120)
    await w.get('[data-hint]').trigger('mouseenter')
    expect(popup()).not.toBeNull()
    document.body.dispatchEvent(new Event('scroll'))
    await nextTick()
    expect(popup()).toBeNull()
  })
})
