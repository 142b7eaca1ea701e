/// <reference types="vite/client" />
import type { WardenApi } from '@shared/contract'

declare global {
  interface Window {
    /** built by the preload from the contract (tests: by the loopback bridge) */
    readonly warden?: WardenApi
  }
}

export {}
