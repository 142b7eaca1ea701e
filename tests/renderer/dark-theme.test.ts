import { darkTheme as fullDarkTheme } from 'naive-ui'
import { describe, expect, it } from 'vitest'
import { darkTheme } from '@renderer/lib/dark-theme'

/** Every file of the window's source (.vue and .ts), as text: Vite's glob import, resolved at build. */
const SOURCES: Record<string, string> = import.meta.glob('../../src/renderer/src/**/*.{vue,ts}', {
  query: '?raw',
  import: 'default',
  eager: true,
})

/**
 * The naive-ui theme keys of the components the window imports: NDrawer → Drawer, the providers
 * by what they show (NMessageProvider → Message), useDialog → Dialog. NConfigProvider has no theme.
 */
function usedThemeKeys(): string[] {
  const keys = new Set<string>()
  for (const text of Object.values(SOURCES)) {
    for (const m of text.matchAll(/import\s*{([^}]*)}\s*from\s*'naive-ui'/g))
      for (const name of (m[1] ?? '').split(',').map((n) => n.trim())) {
        const component = /^N([A-Z]\w*)$/.exec(name)?.[1]
        const composable = /^use(Message|Notification|Dialog|LoadingBar|Modal)$/.exec(name)?.[1]
        const key = (component ?? composable)?.replace(/Provider$/, '')
        if (key !== undefined && key !== 'Config') keys.add(key)
      }
  }
  return [...keys].sort()
}

describe('the dark theme (src/renderer/src/lib/dark-theme.ts)', () => {
  it('finds the components the window uses (a negative control for the scan)', () => {
    expect(usedThemeKeys()).toEqual(expect.arrayContaining(['Button', 'Drawer', 'Message', 'Modal']))
  })

  it("holds naive-ui's own dark theme of every component the window imports", () => {
    const theme: Record<string, unknown> = { ...darkTheme }
    const full: Record<string, unknown> = { ...fullDarkTheme }
    const missing = usedThemeKeys().filter((k) => full[k] !== undefined && theme[k] !== full[k])
    expect(missing).toEqual([])
    expect(darkTheme.common).toBe(fullDarkTheme.common)
  })
})
