import type { CommandEntry } from '../command'
import { deviceCommand } from './device'
import { endCommand } from './end'
import { fleetCommand } from './fleet'
import { historyCommand } from './history'
import { listCommand } from './list'
import { openCommand } from './open'
import { recordingsCommand } from './recordings'
import { reportCommand } from './report'
import { resourcesCommand } from './resources'
import { reviewCommand } from './review'
import { settingsCommand } from './settings'
import { statsCommand } from './stats'
import { watchCommand } from './watch'
import { sshCommand } from './ssh'
import { playCommand } from './play'
import { shimCommand } from './shim'
import { uiCommand } from './ui'

/** Every command, in the order `warden --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  listCommand,
  endCommand,
  watchCommand,
  statsCommand,
  historyCommand,
  settingsCommand,
  resourcesCommand,
  openCommand,
  deviceCommand,
  recordingsCommand,
  sshCommand,
  playCommand,
  shimCommand,
  reviewCommand,
  reportCommand,
  fleetCommand,
  uiCommand,
]
