import type { DropdownOption } from 'naive-ui'
import { computed, ref, shallowRef } from 'vue'
import type { Session } from '@shared/model'

export type RowMenuKey = 'end' | 'copy-host' | 'keep-active' | 'history' | 'rename'

/** The row's context menu items: Keep active only on an idle row, End only when it can be ended here. */
export function rowMenuOptions(s: Session): DropdownOption[] {
  const items: (DropdownOption & { key: RowMenuKey })[] = [
    { key: 'end', label: 'End…', disabled: !s.endable },
    { key: 'copy-host', label: 'Copy host' },
  ]
  if (s.status === 'idle') items.push({ key: 'keep-active', label: 'Keep active' })
  items.push({ key: 'history', label: 'Show in History' }, { key: 'rename', label: 'Rename…' })
  return items
}

/** Shift+F10 and the ContextMenu key: the keyboard's right click (WAI-ARIA APG, "Keyboard Interaction"). */
export function isMenuKey(e: KeyboardEvent): boolean {
  return e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')
}

/**
 * One context menu for the whole table (NDropdown, trigger manual): at the pointer for a right click, under
 * the row's focused control for the keyboard. Naive's dropdown takes the arrows and Enter from the
 * document, so while it is open the focus waits on the row itself: a checkbox keeping it would also take
 * the keys meant for the menu (a native checkbox ticks on Space's keyup). Escape gives it back.
 */
export function useRowMenu() {
  const target = shallowRef<Session | null>(null)
  const x = ref(0)
  const y = ref(0)
  const show = ref(false)
  const options = computed(() => (target.value ? rowMenuOptions(target.value) : []))

  let returnTo: HTMLElement | null = null
  function openAt(s: Session, px: number, py: number, row: HTMLElement): void {
    const from = document.activeElement
    returnTo = from instanceof HTMLElement && row.contains(from) ? from : null
    if (!row.hasAttribute('tabindex')) row.setAttribute('tabindex', '-1')
    row.focus({ preventScroll: true })
    target.value = s
    x.value = px
    y.value = py
    show.value = true
  }
  function onContextMenu(s: Session, e: MouseEvent): void {
    e.preventDefault()
    openAt(s, e.clientX, e.clientY, e.currentTarget as HTMLElement)
  }
  function onKeydown(s: Session, e: KeyboardEvent): void {
    if (!isMenuKey(e)) return
    e.preventDefault()
    const row = e.currentTarget as HTMLElement
    const el = document.activeElement instanceof HTMLElement ? document.activeElement : row
    const r = el.getBoundingClientRect()
    openAt(s, r.left, r.bottom, row)
  }
  /** Closes the menu; `restore`: the focus goes back where it was (Escape, a click outside, Copy). */
  function close(restore = false): void {
    show.value = false
    if (restore && returnTo?.isConnected === true) returnTo.focus()
    returnTo = null
  }
  return { target, x, y, show, options, onContextMenu, onKeydown, close }
}
