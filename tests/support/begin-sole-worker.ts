// One of two processes racing to begin the same recordings (tests/unit/store/begin-sole-race.test.ts):
// opens the database, waits for the agreed moment, then tries to begin an rdp-video row for each of
// `count` processes; prints how many it won. Run with tsx: node --import tsx begin-sole-worker.ts DB AT COUNT
import { openStore } from '../../src/main/engine/store'

const [db = '', at = '0', count = '0'] = process.argv.slice(2)
const store = openStore({ path: db })
while (Date.now() < Number(at)) {
  // spin: both processes start within a millisecond of each other
}
let won = 0
for (let k = 1; k <= Number(count); k++) {
  const id = store.beginSoleRecording({
    kind: 'rdp-video',
    file: `20261202T120000Z-${process.pid}x${k}.webm`,
    pid: 100_000 + k,
    processStart: 1,
    startedAt: Date.now(),
    inputRecorded: false,
    title: `race ${k}`,
  })
  if (id !== null) won++
}
store.close()
process.stdout.write(`${won}\n`)
