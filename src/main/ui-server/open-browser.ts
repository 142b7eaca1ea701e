// Opens an address in the user's default browser with the platform's own opener, run by execFile with the
// address as one argument (never through a shell: the address holds `#` and `&`). Windows: rundll32's
// url.dll handler, which takes the address as it is, unlike `cmd /c start` (a shell) or explorer.exe (which
// drops the fragment on some builds).
import { execFile } from 'node:child_process'

export function openerFor(platform: NodeJS.Platform, url: string): { file: string; args: string[] } {
  if (platform === 'darwin') return { file: 'open', args: [url] }
  if (platform === 'win32') return { file: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', url] }
  return { file: 'xdg-open', args: [url] }
}

/** Resolves with null once the opener has started and exited 0, or with the reason it could not. */
export function openBrowser(
  url: string,
  platform: NodeJS.Platform = process.platform,
): Promise<string | null> {
  const { file, args } = openerFor(platform, url)
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 15_000, windowsHide: true }, (err) => {
      resolve(err === null ? null : `${file}: ${err.message.split('\n')[0] ?? err.message}`)
    })
  })
}
