// Accessibility repairs for what naive-ui 2.45 renders and the window cannot pass through props (issue 15,
// found by axe-core 4.14), and the window's one live region.
import { ref } from 'vue'

/**
 * Naive's card header is `<div role="heading">` around `<div role="heading">` with no `aria-level`
 * (naive-ui/es/card/src/Card.mjs): axe's aria-required-attr (critical). The inner one (the title) becomes
 * a level-2 heading, the outer one (which also holds the close button) a plain container. Vue patches
 * only changed props, so the repair stays until Naive draws a new header, which the observer sees.
 */
export function repairCardHeadings(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('.n-card-header[role="heading"]'))
    el.removeAttribute('role')
  for (const el of root.querySelectorAll<HTMLElement>(
    '.n-card-header__main[role="heading"]:not([aria-level])',
  ))
    el.setAttribute('aria-level', '2')
}

/** Repairs the document now and every card header added later (dialogs mount in a teleport). */
export function watchCardHeadings(doc: Document): MutationObserver {
  repairCardHeadings(doc)
  const mo = new MutationObserver((records) => {
    for (const r of records)
      for (const n of r.addedNodes)
        if (n instanceof HTMLElement && n.querySelector('.n-card-header')) repairCardHeadings(n)
  })
  mo.observe(doc.body, { childList: true, subtree: true })
  return mo
}

/** The text of the window's polite live region (AppShell): what the last action did, for screen readers. */
export const announcement = ref('')
let seq = 0
/** Says `text` in the live region; the same text twice is said twice (a zero-width change forces it). */
export function announce(text: string): void {
  seq += 1
  announcement.value = seq % 2 === 0 ? text : `${text}\u200b`
}
