// axe-core in the page, for the e2e tests' accessibility checks (issue 15): its `source` is injected as an
// init script (it runs before the page's CSP could refuse it: the window allows no inline script), as the
// axe docs show for a page driven by Playwright without @axe-core/playwright.
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

export const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source

interface AxeNode {
  target: string[]
  failureSummary?: string
}
interface AxeViolation {
  id: string
  impact: string | null
  nodes: AxeNode[]
}

/** The critical and serious violations axe finds in the page as it is now (or within a selector), one line per node. */
export async function axeViolations(page: Page, within?: string): Promise<string[]> {
  // transitions (dialogs fading in) would let axe read half-transparent colours
  // (a string: this project's test types have no DOM)
  await page.evaluate(
    'for (const a of document.getAnimations()) if (a.effect?.getComputedTiming().endTime !== Infinity) a.finish()',
  )
  const found = await page.evaluate(async (context) => {
    type Run = (c?: string) => Promise<{ violations: AxeViolation[] }>
    const axe = (globalThis as unknown as { axe: { run: Run } }).axe
    const r = await (context === null ? axe.run() : axe.run(context))
    return r.violations
  }, within ?? null)
  return found
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`))
}
