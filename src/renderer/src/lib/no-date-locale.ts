// Stands in for naive-ui's default date locale (node_modules/naive-ui/es/locales/date/enUS.mjs: date-fns's
// en-US locale, ~7 KB of the window's JavaScript), which naive's useLocale (_mixins/use-locale.mjs) imports
// for every component that has texts, but which only its date picker, time picker, calendar, heatmap and
// NTime read (`dateLocaleRef.value.locale`). The window has none of them: History's dates are the
// browser's own date fields (issue 15: ≤ 800 KB). vite.renderer.config.ts swaps this in for that one
// import. Should a date component ever be added, reading the locale throws instead of formatting without
// one: the e2e harness fails a test on any page error.
const dateLocale = {
  name: 'en-US',
  get locale(): never {
    throw new Error(
      "naive-ui's date locale is left out of the window build (src/renderer/src/lib/no-date-locale.ts): remove that alias to use a date or time component",
    )
  },
}

export default dateLocale
