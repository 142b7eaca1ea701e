import { describe, expect, it } from 'vitest'
import {
  recordingPatchSchema,
  resourcePatchSchema,
  shouldRecord,
  shouldRecordInput,
  splitRecordingPatch,
} from '@shared/recording'
import { DEFAULT_SETTINGS } from '@shared/settings'

describe('shouldRecord', () => {
  const off = { ...DEFAULT_SETTINGS }
  const sshOn = { ...DEFAULT_SETTINGS, recordSsh: true }
  const rdpOn = { ...DEFAULT_SETTINGS, recordRdp: true }

  it('is off by default for both kinds', () => {
    expect(shouldRecord('ssh', off, null)).toBe(false)
    expect(shouldRecord('rdp', off, null)).toBe(false)
  })

  it('follows the setting of its own kind only', () => {
    expect(shouldRecord('ssh', sshOn, null)).toBe(true)
    expect(shouldRecord('rdp', sshOn, null)).toBe(false)
    expect(shouldRecord('rdp', rdpOn, { record: null })).toBe(true)
    expect(shouldRecord('ssh', rdpOn, { record: null })).toBe(false)
  })

  it("lets a resource's override win either way", () => {
    expect(shouldRecord('ssh', off, { record: true })).toBe(true)
    expect(shouldRecord('ssh', sshOn, { record: false })).toBe(false)
    expect(shouldRecord('rdp', rdpOn, { record: false })).toBe(false)
  })
})

describe('shouldRecordInput', () => {
  it('records keystrokes only when the resource says so', () => {
    expect(shouldRecordInput(null)).toBe(false)
    expect(shouldRecordInput({ recordInput: null })).toBe(false)
    expect(shouldRecordInput({ recordInput: false })).toBe(false)
    expect(shouldRecordInput({ recordInput: true })).toBe(true)
  })
})

describe('the resource patch', () => {
  it('accepts on, off and null, and refuses anything else', () => {
    expect(recordingPatchSchema.safeParse({ record: true, recordInput: null }).success).toBe(true)
    expect(recordingPatchSchema.safeParse({ record: 'on' }).success).toBe(false)
    expect(recordingPatchSchema.safeParse({ other: true }).success).toBe(false)
    expect(resourcePatchSchema.safeParse({ idleAfterSec: 60, record: false }).success).toBe(true)
    expect(resourcePatchSchema.safeParse({ idleAfterSec: 60, recordAudio: false }).success).toBe(false)
  })

  it('splits a patch into its recording overrides and the rest', () => {
    expect(splitRecordingPatch({ record: true, idleAfterSec: 5 })).toEqual({
      rest: { idleAfterSec: 5 },
      recording: { record: true },
    })
    expect(splitRecordingPatch(null)).toEqual({ rest: null, recording: {} })
  })
})
