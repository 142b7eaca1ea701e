// The window's own table (components/DataGrid.vue): its columns, their widths, its sorting and which rows
// of a long list it draws. Pure functions, so that they are tested without a DOM (tests/renderer/grid.test.ts).
// Replaced naive-ui's NDataTable (issue 15: the window's JavaScript ≤ 800 KB; its data-table, and the
// checkbox, radio, pagination and ellipsis it pulls in, were ~80 KB of it).
import type { VNodeChild } from 'vue'

export interface GridColumn<T> {
  key: string
  /** The header's text, or what it draws (a sort button, a tick box). */
  title: string | (() => VNodeChild)
  /** A fixed width (px). */
  width?: number
  /** A column without `width` is at least this wide (px) and shares the table's extra width. */
  minWidth?: number
  align?: 'left' | 'center' | 'right'
  /** A sortable column: ascending order. */
  sorter?: (a: T, b: T) => number
  render: (row: T) => VNodeChild
}

export interface GridSort {
  key: string
  order: 'ascend' | 'descend'
}

const ownWidth = <T>(c: GridColumn<T>): number => c.width ?? c.minWidth ?? 0

/** The width below which the table scrolls sideways: the sum of its columns' widths. */
export function tableMinWidth<T>(columns: readonly GridColumn<T>[]): number {
  return columns.reduce((sum, c) => sum + ownWidth(c), 0)
}

/**
 * Each column's width in a table `width` px wide: a fixed column keeps its width, the others share the
 * extra in proportion to their minimum. CSS's fixed table layout cannot say this (it spreads the extra
 * evenly, or over the fixed columns too); the layout must be fixed so that the rows a virtual list draws
 * do not resize the columns as they come and go.
 */
export function columnWidths<T>(columns: readonly GridColumn<T>[], width: number): number[] {
  const extra = Math.max(0, width - tableMinWidth(columns))
  const flexible = columns.filter((c) => c.width === undefined)
  const share = flexible.reduce((sum, c) => sum + (c.minWidth ?? 0), 0)
  return columns.map((c) => {
    if (c.width !== undefined) return c.width
    const part = share > 0 ? (c.minWidth ?? 0) / share : 1 / flexible.length
    return Math.floor((c.minWidth ?? 0) + extra * part)
  })
}

/** `rows` in the order `sort` asks (a new array), or as given. Descending is the ascending order reversed. */
export function sortRows<T>(
  rows: readonly T[],
  columns: readonly GridColumn<T>[],
  sort: GridSort | null,
): T[] {
  const sorter = sort === null ? undefined : columns.find((c) => c.key === sort.key)?.sorter
  if (sorter === undefined || sort === null) return [...rows]
  const sign = sort.order === 'ascend' ? 1 : -1
  return [...rows].sort((a, b) => sign * sorter(a, b))
}

/** The next sort after a click on `key`'s header: ascending, then descending, then unsorted. */
export function nextSort(sort: GridSort | null, key: string): GridSort | null {
  if (sort?.key !== key) return { key, order: 'ascend' }
  return sort.order === 'ascend' ? { key, order: 'descend' } : null
}

/** The `aria-sort` of `key`'s header (WAI-ARIA: on the column header, `none` when sortable and unsorted). */
export function ariaSort(sort: GridSort | null, key: string): 'ascending' | 'descending' | 'none' {
  if (sort?.key !== key) return 'none'
  return sort.order === 'ascend' ? 'ascending' : 'descending'
}

/** Where each row starts (offsets[i]) and the list ends (offsets[n]), from the rows' heights. */
export function offsetsOf(heights: readonly number[]): Float64Array {
  const offsets = new Float64Array(heights.length + 1)
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = (offsets[i] ?? 0) + (heights[i] ?? 0)
  return offsets
}

/** The first row whose bottom is below `y` (binary search over the offsets). */
function rowAt(offsets: Float64Array, y: number): number {
  let lo = 0
  let hi = offsets.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((offsets[mid + 1] ?? 0) <= y) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * The rows [start, end) a list scrolled to `top` shows in `height` px, with `overscan` more each side
 * (a keyboard user's Tab and a fast wheel find a row already drawn).
 */
export function rowsInView(
  offsets: Float64Array,
  top: number,
  height: number,
  overscan: number,
): { start: number; end: number } {
  const n = offsets.length - 1
  if (n <= 0) return { start: 0, end: 0 }
  const first = rowAt(offsets, Math.max(0, top))
  const last = rowAt(offsets, Math.max(0, top + height - 1))
  return { start: Math.max(0, first - overscan), end: Math.min(n, last + 1 + overscan) }
}

/** A virtual list is never lower than this (px): at 200 % zoom it still shows a few rows. */
export const LIST_MIN_HEIGHT = 360

/** The height of a list that fills the window below `above` px of page (its header, cards, filters). */
export function listHeight(windowHeight: number, above: number): number {
  return Math.max(LIST_MIN_HEIGHT, windowHeight - above)
}
