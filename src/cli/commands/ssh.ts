import path from 'node:path'
import { defaultDbPath, openStore } from '@engine/store'
import type { Store } from '@engine/store'
import { parseSshArgs, type SshArgs } from '@engine/detect/ssh-args'
import { createProbe } from '@engine/probe'
import { shouldRecord, shouldRecordInput } from '@shared/recording'
import { createRecordingFile, recordingsDir } from '../../main/recording/files'
import { runSsh, type SshTerminal } from '../../main/recording/pty-ssh'
import { findRealSsh, MAX_SSH_DEPTH, SSH_DEPTH_ENV, sshDepth } from '../../main/recording/real-ssh'
import { runRecordedSsh } from '../../main/recording/ssh-session'
import { createStoreLedger } from '../../main/recording/store-ledger'
import { defineCommand, type CliIO } from '../command'

/**
 * Why this ssh is not recorded, or null when the policy decides. A run that opens no terminal
 * session (-V, -G, -O, -N, -W, -f) or that ssh will refuse has no terminal stream worth a file; a
 * nested run (a ProxyCommand's `ssh -W` under a recorded ssh) is inside a recording already.
 */
function notRecordable(a: SshArgs, depth: number): string | null {
  if (depth > 0) return 'nested inside another warden ssh'
  if (!a.valid || a.destination === null) return 'ssh will refuse this command line'
  if (a.isQueryOnly || a.isControlCommand) return 'no session (a query or a control command)'
  if (a.noCommand || a.stdioForward !== null || a.background) return 'no terminal session (-N, -W or -f)'
  return null
}

/** The policy for this destination: the ssh resource named like the host, else the settings. */
function policyFor(store: Store, host: string | null): { record: boolean; recordInput: boolean } {
  const found = host === null ? null : store.findResource(host)
  const resource = found?.type === 'ssh' && found.name === host ? found : null
  return {
    record: shouldRecord('ssh', store.getSettings(), resource),
    recordInput: shouldRecordInput(resource),
  }
}

function terminal(): SshTerminal {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }
}

async function recorded(io: CliIO, store: Store, ssh: string, argv: string[], recordInput: boolean) {
  const dbPath = store.path
  const probe = createProbe(process.platform)
  const r = await runRecordedSsh({
    ssh,
    argv,
    env: { ...io.env, [SSH_DEPTH_ENV]: '1' },
    io: terminal(),
    recordInput,
    ledger: createStoreLedger(store),
    createFile: (startedAt) => {
      const dir = recordingsDir(path.dirname(path.resolve(dbPath)))
      return createRecordingFile(dir, 'ssh-cast', startedAt)
    },
    // the probe's own reading, so the engine matches the row to the session by the same start time
    processStart: async (pid) => (await probe.readProcess(pid))?.startTime ?? null,
  })
  return r.exitCode
}

export const sshCommand = defineCommand({
  name: 'ssh',
  summary: 'run ssh, recorded as an asciicast when the recording policy says so',
  usage: ['ssh [ssh options] destination [command]'],
  notes: [
    "Every word after `ssh` is ssh's own and reaches the system's ssh unchanged; warden's",
    'options (--db) go before it. Recorded when recordSsh is on, or when the resource named',
    'like the host says --record on; keystrokes only with --record-input on.',
    "Exit status: ssh's own (255: ssh could not connect); 127: no ssh found.",
  ],
  options: {},
  args: [0, Number.POSITIVE_INFINITY],
  rawArgs: true,
  async run({ io, positionals, values }) {
    const depth = sshDepth(io.env)
    if (depth >= MAX_SSH_DEPTH) {
      io.err(
        `warden: ssh calls itself (${depth} warden ssh runs deep): is a wrapper on PATH calling ssh again?`,
      )
      return 255
    }
    const ssh = findRealSsh(io.env)
    if (ssh === null) {
      io.err('warden: no ssh on PATH (other than the Session Warden shim)')
      return 127
    }
    const argv = [...positionals]
    const plain = (): Promise<number> =>
      runSsh({
        ssh,
        argv,
        env: { ...io.env, [SSH_DEPTH_ENV]: String(depth + 1) },
        io: terminal(),
        recorder: null,
        recordInput: false,
      })
    // parseSshArgs reads a whole command line, program name first
    const args = parseSshArgs(['ssh', ...argv])
    if (notRecordable(args, depth) !== null) return plain()
    // --db stands before `ssh` (a global option; src/cli/cli.ts dispatchRaw)
    const db = (values as { db?: string }).db
    let store: Store
    try {
      store = openStore({ path: db ?? io.env.WARDEN_DB ?? defaultDbPath() })
    } catch (e) {
      io.err(`warden: this session is not recorded: ${e instanceof Error ? e.message : String(e)}`)
      return plain()
    }
    try {
      const policy = policyFor(store, args.host)
      if (!policy.record) return await plain()
      return await recorded(io, store, ssh, argv, policy.recordInput)
    } finally {
      store.close()
    }
  },
})
