/**
 * Real remote peers on loopback for the integration tests: OpenSSH (sshd + ssh/sftp clients), xrdp +
 * xfreerdp under Xvfb, and a Node HTTP/WebSocket server held open by headless Chromium.
 *
 * Every server listens on 127.0.0.1 only, on a free port. Everything started here is tracked:
 * `stopAll()` ends it (process trees included) and removes its temp dirs; a process 'exit' / signal hook
 * does the same synchronously if a test run dies before `stopAll()`.
 *
 * Linux only (reads /proc, runs `ss`). Install the binaries with `tests/support/ensure-testbed.sh`.
 * Never uses a shell string: every process is spawned with an argument array.
 *
 * One module per peer under tests/support/peers/; this file only re-exports them, so tests import from
 * one place.
 */
export { BIN, missingBinaries, waitFor, holdsFor, freePort } from './peers/common'
export { descendants, isAlive, parentOf } from './peers/proc'
export {
  establishedSockets,
  listeningSockets,
  establishedSocketsOf,
  establishedSocketsOfTree,
  tcpStats,
  type SocketOwner,
  type TcpSocket,
  type TcpStats,
} from './peers/sockets'
export { stopAll, trackedCount, trackedPids, trackedDirs, type StopOrder } from './peers/tracking'
export type { ClientProc } from './peers/clients'
export { startSshd, SSH_ALIASES, type Sshd } from './peers/sshd'
export {
  sshClient,
  sshBatch,
  sftpClient,
  sshInteractive,
  sendTraffic,
  type SshClientOptions,
  type InteractiveSsh,
} from './peers/ssh-client'
export { startXvfb, startXrdp, type Xvfb, type Xrdp } from './peers/xrdp'
export { xfreerdpClient, type XfreerdpOptions } from './peers/freerdp'
export { startWebServer, type WebServer } from './peers/web-server'
export { startChromium, type ChromiumOptions, type Chromium } from './peers/chromium'
export { startPatternWindow, type PatternWindow } from './peers/pattern-window'
