// Opens an address in the user's default browser with the platform's own opener, started with the address
// as one argument (spawn with an argument array, never a shell: the address holds `#` and `&`). Windows: rundll32's
// url.dll handler, which takes the address as it is, unlike `cmd /c start` (a shell) or explorer.exe (which
// drops the fragment on some builds).
import { spawn } from 'node:child_process'

export function openerFor(platform: NodeJS.Platform, url: string): { file: string; args: string[] } {
  if (platform === 'darwin') return { file: 'open', args: [url] }
  if (platform === 'win32') return { file: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', url] }
  return { file: 'xdg-open', args: [url] }
}

/**
 * Starts the opener and resolves with null once it runs, or with the reason it could not start. It is not
 * waited for: some openers run the browser in the foreground until it closes. Detached, in a process group
 * of its own, so the Ctrl-C that stops `warden ui` does not reach a browser the opener started.
 */
export function openBrowser(
  url: string,
  platform: NodeJS.Platform = process.platform,
): Promise<string | null> {
  const { file, args } = openerFor(platform, url)
  return new Promise((resolve) => {
    // stdio ignored: no pipe keeps `warden ui` alive after Ctrl-C, and no closed pipe kills the browser
    const child = spawn(file, args, { detached: true, stdio: 'ignore', windowsHide: true, shell: false })
    child.once('spawn', () => {
      child.unref()
      resolve(null)
    })
    child.once('error', (err) => {
      resolve(`${file}: ${err.message.split('\n')[0] ?? err.message}`)
    })
  })
}
