import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import type { WebResource } from './detect/types'
import type { ResourceRow } from './store/types'
import { delay, type EngineTiming } from './timing'

export type ResolveHost = (host: string) => Promise<string[]>

const systemResolve: ResolveHost = (h) => lookup(h, { all: true }).then((a) => a.map((x) => x.address))

/** The host name of a URL (IPv6 without brackets), or null when it is not a URL. */
export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return null
  }
}

/** The addresses of the web resources' host names, looked up beside the scan loop. */
export class WebHosts {
  private resolved = new Map<string, string[]>()
  private resolvedFor = ''
  private resolvedAt = 0

  constructor(
    private readonly timing: Pick<EngineTiming, 'resolveEveryMs' | 'dnsWaitMs'>,
    private readonly resolve: ResolveHost = systemResolve,
  ) {}

  /** host name → addresses, as the detectors match browser connections */
  get addresses(): ReadonlyMap<string, string[]> {
    return this.resolved
  }

  /** The resources changed: look their hosts up on the next refresh. */
  invalidate(): void {
    this.resolvedFor = ''
  }

  /**
   * Looks the hosts up again when they changed or every resolveEveryMs. Resolution happens beside
   * the loop, never inside a tick: a slow DNS must not stall scans. Only a host never resolved
   * before is waited for, at most dnsWaitMs: matching without it would end every web session
   * this process has not yet resolved the host of.
   */
  async refresh(web: readonly WebResource[], now: number): Promise<void> {
    const hosts = [
      ...new Set(web.map((w) => hostOf(w.url)).filter((h): h is string => h !== null && isIP(h) === 0)),
    ]
    const sig = hosts.sort().join(',')
    if (sig === this.resolvedFor && now - this.resolvedAt < this.timing.resolveEveryMs) return
    this.resolvedFor = sig
    this.resolvedAt = now
    const unknown = hosts.some((h) => !this.resolved.has(h))
    const job = Promise.all(
      hosts.map(async (h) => {
        try {
          return [h, await this.resolve(h)] as const
        } catch {
          return [h, [] as string[]] as const
        }
      }),
    ).then((pairs) => {
      // Merged, not replaced: a browser keeps its connection to an address the name no longer
      // returns first (load balancers, CDNs); forgetting it would end a live session.
      const next = new Map<string, string[]>()
      for (const [h, addrs] of pairs)
        next.set(h, [...new Set([...(this.resolved.get(h) ?? []), ...addrs])].slice(-64))
      this.resolved = next
    })
    if (unknown) await Promise.race([job, delay(this.timing.dnsWaitMs)])
  }

  /** Whether a web resource's host is known (an address, or a name looked up at least once). */
  isResolved(r: ResourceRow | undefined): boolean {
    const host = r ? hostOf(r.target) : null
    return host === null || isIP(host) !== 0 || (this.resolved.get(host)?.length ?? 0) > 0
  }
}
