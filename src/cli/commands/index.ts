import type { CommandEntry } from '../command'
import { deviceCommand } from './device'
import { endCommand } from './end'
import { fleetCommand } from './fleet'
import { historyCommand } from './history'
import { listCommand } from './list'
import { openCommand } from './open'
import { resourcesCommand } from './resources'
import { settingsCommand } from './settings'
import { statsCommand } from './stats'
import { watchCommand } from './watch'

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
  fleetCommand,
]
