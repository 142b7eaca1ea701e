import { useMessage, type MessageOptions, type MessageReactive } from 'naive-ui'
import { announce } from '@renderer/lib/a11y'

type Say = (text: string, options?: MessageOptions) => MessageReactive

/**
 * Naive's message (the toast) with its text also said in the window's live region: the toast has no
 * live region of its own, so a screen reader heard nothing after End (issue 15).
 */
export function useAnnouncedMessage(): { success: Say; error: Say; info: Say; warning: Say } {
  const message = useMessage()
  const said =
    (kind: 'success' | 'error' | 'info' | 'warning'): Say =>
    (text, options) => {
      announce(text)
      return message[kind](text, options)
    }
  return { success: said('success'), error: said('error'), info: said('info'), warning: said('warning') }
}
