import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { h, nextTick } from 'vue'
import DataGrid from '@renderer/components/DataGrid.vue'
import {
  ariaSort,
  columnWidths,
  listHeight,
  nextSort,
  offsetsOf,
  rowsInView,
  sortRows,
  tableMinWidth,
  type GridColumn,
  type GridSort,
} from '@renderer/lib/grid'

interface Row {
  id: string
  n: number
}
const cols: GridColumn<Row>[] = [
  { key: 'pick', width: 36, title: 'Pick', render: () => null },
  { key: 'name', minWidth: 200, title: 'Name', render: (r) => r.id },
  { key: 'n', minWidth: 100, title: 'N', sorter: (a, b) => a.n - b.n, render: (r) => String(r.n) },
  { key: 'end', width: 90, title: 'End', render: () => null },
]
const rows = (k: number): Row[] => Array.from({ length: k }, (_, i) => ({ id: `r${i}`, n: (i * 7) % k }))

describe('grid columns (src/renderer/src/lib/grid.ts)', () => {
  it('scrolls sideways below the sum of its columns', () => {
    expect(tableMinWidth(cols)).toBe(426)
    expect(columnWidths(cols, 300)).toEqual([36, 200, 100, 90])
  })

  it('gives the extra width to the flexible columns, by their minimum; fixed ones keep theirs', () => {
    expect(columnWidths(cols, 726)).toEqual([36, 400, 200, 90])
  })
})

describe('grid sorting', () => {
  it('sorts ascending, descending, then not; aria-sort says which on the column header', () => {
    let s: GridSort | null = null
    s = nextSort(s, 'n')
    expect([s, ariaSort(s, 'n'), ariaSort(s, 'name')]).toEqual([
      { key: 'n', order: 'ascend' },
      'ascending',
      'none',
    ])
    expect(sortRows(rows(5), cols, s).map((r) => r.n)).toEqual([0, 1, 2, 3, 4])
    s = nextSort(s, 'n')
    expect(sortRows(rows(5), cols, s).map((r) => r.n)).toEqual([4, 3, 2, 1, 0])
    expect(ariaSort(s, 'n')).toBe('descending')
    expect(nextSort(s, 'n')).toBeNull()
    expect(nextSort(s, 'name')).toEqual({ key: 'name', order: 'ascend' })
  })
})

describe('the virtual window', () => {
  const off = offsetsOf([56, 56, 100, 56, 56, 56])
  it('finds the rows in sight from their heights, with the overscan each side', () => {
    expect([...off]).toEqual([0, 56, 112, 212, 268, 324, 380])
    expect(rowsInView(off, 0, 112, 0)).toEqual({ start: 0, end: 2 })
    expect(rowsInView(off, 150, 100, 0)).toEqual({ start: 2, end: 4 })
    expect(rowsInView(off, 150, 100, 2)).toEqual({ start: 0, end: 6 })
    expect(rowsInView(offsetsOf([]), 0, 500, 2)).toEqual({ start: 0, end: 0 })
  })
  it('a list fills the window below the page, never lower than 360 px', () => {
    expect([listHeight(800, 330), listHeight(400, 330)]).toEqual([470, 360])
  })
  it('past the end, still ends at the last row', () => {
    expect(rowsInView(off, 1000, 200, 1)).toEqual({ start: 5, end: 6 })
  })
})

describe('DataGrid', () => {
  it('draws only the rows in sight of a long virtual list, between spacers as high as the rest', () => {
    const w = mount(DataGrid<Row>, {
      props: {
        columns: cols,
        rows: rows(200),
        rowKey: (r: Row) => r.id,
        rowProps: (r: Row) => ({ 'data-id': r.id }),
        virtual: true,
        height: 300,
        fixedHeight: true,
        rowHeight: 56,
      },
      attachTo: document.body,
    })
    // 300 px: rows 0–5 in sight (unmeasured, 56 px each: happy-dom lays nothing out), and 2 more
    expect(w.findAll('tr[data-id]').map((r) => r.attributes('data-id'))).toEqual([
      'r0',
      'r1',
      'r2',
      'r3',
      'r4',
      'r5',
      'r6',
      'r7',
    ])
    const pads = w.findAll('tr.dg-pad td')
    expect(pads.map((p) => p.attributes('style'))).toEqual([`height: ${192 * 56}px;`])
    expect(w.find('.dg').attributes('style')).toContain('min-height: 300px')
    w.unmount()
  })

  it('a plain table draws all rows; the sortable header carries aria-sort and sorts on click', async () => {
    const w = mount(DataGrid<Row>, {
      props: {
        columns: [...cols, { key: 'x', title: () => h('button', { class: 'b' }, 'X'), render: () => 'x' }],
        rows: rows(5),
        rowKey: (r: Row) => r.id,
        rowProps: (r: Row) => ({ 'data-id': r.id, class: 'mine' }),
      },
    })
    expect(w.findAll('tr.dg-tr.mine')).toHaveLength(5)
    const th = w.find('th[data-col-key="n"]')
    expect(th.attributes('aria-sort')).toBe('none')
    expect(w.find('th[data-col-key="name"]').attributes('aria-sort')).toBeUndefined()
    expect(w.find('th[data-col-key="x"] button.b').text()).toBe('X')
    await th.trigger('click')
    expect(w.emitted('update:sort')?.[0]).toEqual([{ key: 'n', order: 'ascend' }])
    await w.setProps({ sort: { key: 'n', order: 'descend' } })
    await nextTick()
    expect(th.attributes('aria-sort')).toBe('descending')
    expect(w.findAll('tr[data-id] td:nth-child(3)').map((td) => td.text())).toEqual(['4', '3', '2', '1', '0'])
    w.unmount()
  })

  it('says when it is empty, and when it is loading', async () => {
    const w = mount(DataGrid<Row>, {
      props: { columns: cols, rows: [], rowKey: (r: Row) => r.id, emptyText: 'Nothing here' },
    })
    expect(w.find('[data-grid-empty]').text()).toBe('Nothing here')
    await w.setProps({ loading: true })
    expect(w.find('[data-grid-empty] [role="status"]').text()).toBe('Loading…')
    w.unmount()
  })
})
