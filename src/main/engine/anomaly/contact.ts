// Handing a report to the security contact (setting `securityContact`): a mailto: address opens the
// mail client through the OS opener with a summary and the bundle's path (a port: tests record the
// URL instead of opening a mail client), and an https webhook receives the bundle as JSON. TLS only,
// a timeout per attempt, a few retries; every result is recorded on the session (events).
import { spawn } from 'node:child_process'
import { request } from 'node:https'
import { parseSecurityContact } from '@shared/review'

export interface ContactPorts {
  /** opens a URL with the OS (xdg-open, open, start; the desktop app's shell.openExternal) */
  openExternal(url: string): Promise<void>
  /** extra CA certificates the webhook's TLS trusts (PEM; tests trust their self-signed server) */
  webhookCa?: string | Buffer
  webhookTimeoutMs?: number
  /** attempts in all (first try + retries) */
  webhookAttempts?: number
  /** pause before retry n (1-based) */
  retryDelayMs?: (n: number) => number
}

export interface Delivery {
  to: 'mailto' | 'webhook'
  ok: boolean
  detail: string
}

/** The OS opener as a plain Node process would call it; arguments as an array, never a shell string. */
export function osOpener(platform: NodeJS.Platform = process.platform): (url: string) => Promise<void> {
  const [cmd, args]: [string, string[]] =
    platform === 'darwin'
      ? ['open', []]
      : platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler']]
        : ['xdg-open', []]
  return (url) =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, [...args, url], { stdio: 'ignore', detached: true })
      child.once('error', reject)
      child.once('spawn', () => {
        child.unref()
        resolve()
      })
    })
}

export function mailtoUrl(address: string, subject: string, body: string): string {
  const base = address.split('?')[0] ?? address
  return `${base}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`
}

/** One POST; resolves with the status line, rejects on a network error, a timeout or a non-2xx status. */
function postOnce(url: string, body: string, ports: ContactPorts): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: ports.webhookTimeoutMs ?? 10_000,
        ...(ports.webhookCa === undefined ? {} : { ca: ports.webhookCa }),
      },
      (res) => {
        res.resume()
        const status = res.statusCode ?? 0
        const line = `HTTP ${status}`
        res.on('end', () => (status >= 200 && status < 300 ? resolve(line) : reject(new Error(line))))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ports.webhookTimeoutMs ?? 10_000} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}

export async function postWebhook(url: string, body: string, ports: ContactPorts): Promise<Delivery> {
  const attempts = Math.max(1, ports.webhookAttempts ?? 3)
  const errors: string[] = []
  for (let n = 1; n <= attempts; n++) {
    try {
      const line = await postOnce(url, body, ports)
      return { to: 'webhook', ok: true, detail: `${new URL(url).origin}: ${line} (attempt ${n})` }
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e))
      if (n < attempts)
        await new Promise((r) => setTimeout(r, ports.retryDelayMs?.(n) ?? 1000 * 2 ** (n - 1)))
    }
  }
  return {
    to: 'webhook',
    ok: false,
    detail: `${new URL(url).origin}: failed ${attempts} times: ${errors.join('; ')}`,
  }
}

/** Hands the report to every configured contact; an empty setting hands it to nobody. */
export async function deliver(
  contactSetting: string,
  report: { subject: string; summary: string; json: string },
  ports: ContactPorts,
): Promise<Delivery[]> {
  const parsed = parseSecurityContact(contactSetting)
  if (!parsed.ok) return [{ to: 'webhook', ok: false, detail: `securityContact: ${parsed.error}` }]
  const out: Delivery[] = []
  if (parsed.value.mailto !== null) {
    const url = mailtoUrl(parsed.value.mailto, report.subject, report.summary)
    try {
      await ports.openExternal(url)
      out.push({
        to: 'mailto',
        ok: true,
        detail: `opened the mail client for ${parsed.value.mailto.slice(7)}`,
      })
    } catch (e) {
      out.push({
        to: 'mailto',
        ok: false,
        detail: `could not open the mail client: ${e instanceof Error ? e.message : String(e)}`,
      })
    }
  }
  if (parsed.value.webhook !== null) out.push(await postWebhook(parsed.value.webhook, report.json, ports))
  return out
}
