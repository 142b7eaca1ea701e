// The dark theme, only for the naive-ui components the window uses. naive-ui's `darkTheme` holds the dark
// styles of every one of its ~90 components and so ships them all, used or not (issue 15: renderer
// JavaScript ≤ 800 KB). createTheme builds the same object from a list (naive-ui docs, "Theme" →
// "Tree-shaking themes"); each component's dark theme carries the dark themes of its inner parts (the
// DataTable's checkbox, pagination, dropdown …) as its `peers`.
// A component missing here still gets the dark `common` colours below through its light theme, and
// tests/unit/dark-theme.test.ts fails for every naive-ui component the renderer imports that is missing.
import {
  alertDark,
  buttonDark,
  buttonGroupDark,
  cardDark,
  checkboxDark,
  commonDark,
  createTheme,
  dataTableDark,
  datePickerDark,
  descriptionsDark,
  drawerDark,
  dropdownDark,
  emptyDark,
  inputDark,
  messageDark,
  modalDark,
  notificationDark,
  popoverDark,
  progressDark,
  selectDark,
  switchDark,
  tableDark,
  tagDark,
  tooltipDark,
  type GlobalTheme,
} from 'naive-ui'

export const darkTheme: GlobalTheme = {
  ...createTheme('dark', [
    alertDark,
    buttonDark,
    buttonGroupDark,
    cardDark,
    checkboxDark,
    dataTableDark,
    datePickerDark,
    descriptionsDark,
    drawerDark,
    dropdownDark,
    emptyDark,
    inputDark,
    messageDark,
    modalDark,
    notificationDark,
    popoverDark,
    progressDark,
    selectDark,
    switchDark,
    tableDark,
    tagDark,
    tooltipDark,
  ]),
  common: commonDark,
}
