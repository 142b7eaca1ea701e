// Types for scripts/ensure-native.mjs (plain JS, run with node), so TypeScript tests can import it.

export type Runtime = 'node' | 'electron'
export interface Target {
  runtime: Runtime
  abi: number
}
/** 'other': a load failure named the ABI it was compiled for, not which runtime that is. */
export interface Build {
  runtime: Runtime | 'other'
  abi: number
}
export type LoadResult = { ok: true; abi: number } | { ok: false; error: string }
export type BinaryStatus = { ok: true; path: string; version: string | null } | { ok: false; message: string }

export const MARKER_NAME: string
export const USAGE: string

export function parseCompiledAbi(errorText: string): number | null
export function parseMarker(text: string | null | undefined): Target | null
export function formatMarker(target: Target): string
export function currentBuild(input: { marker?: string | null; loadResult?: LoadResult }): Build | null
export function decide(input: {
  marker?: string | null
  loadResult?: LoadResult
  target: Target
}): 'ok' | 'rebuild'
export function electronBinaryStatus(
  electronDir: string | null,
  env?: Record<string, string | undefined>,
): BinaryStatus
export function electronAbi(electronDir: string, version: string): number
export function readMarker(releaseDir: string): string | null
export function probeLoad(moduleDir: string): Promise<LoadResult>
