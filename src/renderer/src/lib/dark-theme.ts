// The dark theme, only for the naive-ui components the window uses. naive-ui's `darkTheme` holds the dark
// styles of every one of its ~90 components and so ships them all, used or not (issue 15: renderer
// JavaScript ≤ 800 KB). createTheme builds the same object from a list (naive-ui docs, "Theme" →
// "Tree-shaking themes"); each component's dark theme carries the dark themes of its inner parts (the
// Drawer's scrollbar, the Select's tags …) as its `peers`.
// A component missing here still gets the dark `common` colours below through its light theme, and
// tests/renderer/dark-theme.test.ts fails for every naive-ui component the renderer imports that is missing.
// A namespace import keeps the list in one place; the bundler still takes only the members named here.
import * as naive from 'naive-ui'
import type { GlobalTheme } from 'naive-ui'

export const darkTheme: GlobalTheme = {
  ...naive.createTheme('dark', [
    naive.alertDark,
    naive.buttonDark,
    naive.buttonGroupDark,
    naive.cardDark,
    naive.descriptionsDark,
    naive.drawerDark,
    naive.dropdownDark,
    naive.emptyDark,
    naive.inputDark,
    naive.messageDark,
    naive.modalDark,
    naive.notificationDark,
    naive.popoverDark,
    naive.selectDark,
    naive.tableDark,
  ]),
  common: naive.commonDark,
}
