// Stands in for naive-ui's Pagination inside its DataTable (node_modules/naive-ui/es/data-table/src/
// DataTable.mjs imports it and draws it only when the table has a `pagination` prop; its default is false).
// The window's tables never page in the browser (History pages through the engine's cursor), so the
// pagination, its popselect and their styles were ~20 KB of JavaScript that never ran (issue 15: ≤ 800 KB).
// vite.renderer.config.ts swaps this in for that one import. Should a table ever be given `pagination`,
// this throws instead of quietly drawing nothing: the e2e harness fails a test on any page error.
import { defineComponent } from 'vue'

export default defineComponent({
  name: 'NoPagination',
  setup() {
    throw new Error(
      'naive-ui Pagination is left out of the window build (src/renderer/src/lib/no-pagination.ts): page through the engine instead',
    )
  },
})
