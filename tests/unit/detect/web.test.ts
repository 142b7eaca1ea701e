import { describe, expect, it } from 'vitest'
import { browserFamily, isBrowserProcess } from '@engine/detect/browser'
import { detectWeb, webEndpoint } from '@engine/detect/web'
import type { Detected, WebResource } from '@engine/detect/types'
import type { ProcessInfo, SocketInfo } from '@engine/probe/types'
import { ctx, proc, run, sock, type CtxOpts } from './helpers'

const CHROMIUM = '/usr/lib/chromium/chromium'
const COMMON =
  '--crashpad-handler-pid=0 --enable-crash-reporter=,built on Debian GNU/Linux 12 (bookworm) --noerrdialogs --user-data-dir=/tmp/chr-prof3 --change-stack-guard-on-fork=enable'

/** The process tree of `chromium --headless=new --app=URL` as observed on chromium 156 (Debian 12). */
function chromiumTree(rootPid: number, url = 'http://127.0.0.1:8766/'): ProcessInfo[] {
  const root = proc(
    rootPid,
    [
      CHROMIUM,
      '--show-component-extension-options',
      '--enable-gpu-rasterization',
      '--no-default-browser-check',
      '--disable-pings',
      '--media-router=0',
      '--enable-remote-extensions',
      '--load-extension=',
      '--headless=new',
      '--no-sandbox',
      '--user-data-dir=/tmp/chr-prof3',
      `--app=${url}`,
    ],
    { ppid: 50 },
  )
  // children rewrite their command line into ONE argv string
  const child = (pid: number, ppid: number, args: string): ProcessInfo =>
    proc(pid, [`${CHROMIUM} ${args} ${COMMON}`], { ppid, exe: CHROMIUM })
  return [
    root,
    child(rootPid + 1, rootPid, '--type=zygote --no-zygote-sandbox --no-sandbox --headless=new'),
    child(rootPid + 2, rootPid, '--type=zygote --no-sandbox --headless=new'),
    child(rootPid + 3, rootPid + 1, '--type=gpu-process --gpu-recent-crash-count=0 --no-sandbox'),
    child(
      rootPid + 4,
      rootPid,
      '--type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --no-sandbox',
    ),
    child(
      rootPid + 5,
      rootPid + 2,
      '--type=utility --utility-sub-type=storage.mojom.StorageService --lang=en-US',
    ),
    child(rootPid + 6, rootPid + 2, '--type=renderer --no-sandbox --renderer-client-id=7'),
  ]
}

const INTRANET: WebResource = { id: 7, name: 'Intranet', url: 'http://127.0.0.1:8766/' }
const CRM: WebResource = { id: 3, name: 'CRM', url: 'https://crm.example.com/login' }
const WIKI: WebResource = { id: 4, name: 'Wiki', url: 'https://wiki.example.com:8443/' }

const detect = (procs: ProcessInfo[], sockets: SocketInfo[], opts: CtxOpts): Detected[] =>
  run(detectWeb, ctx(procs, sockets, opts))

describe('browser processes', () => {
  it.each<[ProcessInfo, string | null]>([
    [proc(1, ['chromium']), 'chromium'],
    [proc(1, ['chromium-browser']), 'chromium'],
    [
      proc(1, [`${CHROMIUM} --type=utility --utility-sub-type=network.mojom.NetworkService`], { exe: '' }),
      'chromium',
    ],
    [proc(1, ['/opt/google/chrome/chrome']), 'chrome'],
    [proc(1, ['google-chrome-stable']), 'chrome'],
    [proc(1, ['google-chrome']), 'chrome'],
    [proc(1, ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome']), 'chrome'],
    [
      proc(1, [
        '/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Helpers/Google Chrome Helper.app/Contents/MacOS/Google Chrome Helper',
      ]),
      'chrome',
    ],
    [
      proc(1, ['x'], {
        exe: '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome Helper (Renderer)',
      }),
      'chrome',
    ],
    [
      proc(1, ['chrome.exe'], { exe: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe' }),
      'chrome',
    ],
    [
      proc(1, ['msedge.exe'], { exe: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe' }),
      'edge',
    ],
    [proc(1, ['/opt/microsoft/msedge/msedge']), 'edge'],
    [proc(1, ['microsoft-edge']), 'edge'],
    [proc(1, ['brave']), 'brave'],
    [proc(1, ['brave-browser']), 'brave'],
    [proc(1, ['/opt/vivaldi/vivaldi-bin']), 'vivaldi'],
    [proc(1, ['vivaldi']), 'vivaldi'],
    [proc(1, ['opera']), 'opera'],
    [proc(1, ['firefox']), 'firefox'],
    [proc(1, ['/usr/lib/firefox-esr/firefox-esr']), 'firefox'],
    [proc(1, ['firefox.exe'], { exe: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe' }), 'firefox'],
    [proc(1, ['electron']), null],
    [proc(1, ['session-warden']), null],
    [proc(1, ['curl', 'https://crm.example.com']), null],
    [proc(1, ['chromedriver']), null],
    [proc(1, ['bash', '-c', 'chromium']), null],
  ])('%#: %j', (p, family) => {
    expect(browserFamily(p)).toBe(family)
    expect(isBrowserProcess(p)).toBe(family !== null)
  })
})

describe('webEndpoint', () => {
  it.each<[string, string | null, number | null]>([
    ['https://crm.example.com/login', 'crm.example.com', 443],
    ['http://crm.example.com/', 'crm.example.com', 80],
    ['https://wiki.example.com:8443/', 'wiki.example.com', 8443],
    ['http://127.0.0.1:8766/', '127.0.0.1', 8766],
    ['https://[2001:db8::1]:8443/x', '2001:db8::1', 8443],
    ['https://CRM.Example.COM', 'crm.example.com', 443],
    ['wss://ws.example.com/socket', 'ws.example.com', 443],
    ['ftp://files.example.com/', null, null],
    ['not a url', null, null],
  ])('%s', (url, host, port) => {
    const ep = webEndpoint({ id: 1, name: 'x', url })
    expect(ep === null ? [null, null] : [ep.host, ep.port]).toEqual([host, port])
  })
})

describe('web detector', () => {
  it('chromium: the network-service child owns the socket, the session belongs to the browser root', () => {
    const tree = chromiumTree(24601)
    const s = sock(24605, '127.0.0.1', 8766, { local: '127.0.0.1' })
    const found = detect(tree, [s], { webResources: [INTRANET] })
    expect(found).toHaveLength(1)
    const d = found[0]
    const root = tree[0]
    const netService = tree[4]
    expect(d).toEqual({
      key: `web:24601:${root?.startTime ?? 0}:7`,
      resourceType: 'web',
      resourceName: 'Intranet',
      host: '127.0.0.1',
      user: null,
      client: 'chromium',
      root,
      members: [netService],
      sockets: [s],
      remoteAddress: '127.0.0.1',
      remotePort: 8766,
      localAddress: '127.0.0.1',
      flags: ['in-browser'],
      endable: false,
      resourceId: 7,
    })
  })

  it('launched by Session Warden: endable', () => {
    const tree = chromiumTree(24601)
    const found = detect(tree, [sock(24605, '127.0.0.1', 8766)], {
      webResources: [INTRANET],
      launched: [[24601, 7]],
    })
    expect(found.map((d) => [d.flags, d.endable])).toEqual([[['launched'], true]])
  })

  it('one session per (browser, resource) however many sockets', () => {
    const tree = chromiumTree(24601)
    const sockets = [
      sock(24605, '127.0.0.1', 8766),
      sock(24605, '127.0.0.1', 8766),
      sock(24605, '127.0.0.1', 8766),
    ]
    const found = detect(tree, sockets, { webResources: [INTRANET] })
    expect(found).toHaveLength(1)
    expect(found[0]?.sockets).toEqual(sockets)
  })

  it('host names through context.resolved; two resources → two sessions; default ports', () => {
    const tree = chromiumTree(100, 'about:blank')
    const found = detect(
      tree,
      [sock(104, '198.51.100.20', 443), sock(104, '198.51.100.30', 8443), sock(104, '198.51.100.20', 80)],
      {
        webResources: [CRM, WIKI],
        resolved: {
          'crm.example.com': ['198.51.100.20'],
          'wiki.example.com': ['198.51.100.30', '2001:db8::30'],
        },
      },
    )
    expect(found.map((d) => [d.resourceName, d.host, d.remotePort, d.sockets.length])).toEqual([
      ['CRM', 'crm.example.com', 443, 1],
      ['Wiki', 'wiki.example.com', 8443, 1],
    ])
  })

  it('two browsers (two roots) → two sessions for the same resource', () => {
    const a = chromiumTree(100)
    const b = chromiumTree(200)
    const found = detect([...a, ...b], [sock(104, '127.0.0.1', 8766), sock(204, '127.0.0.1', 8766)], {
      webResources: [INTRANET],
    })
    expect(found.map((d) => d.root.pid)).toEqual([100, 200])
  })

  it('IPv6: literal URL host and resolved addresses, any spelling', () => {
    const ff = proc(300, ['/usr/lib/firefox-esr/firefox-esr'])
    const v6: WebResource = { id: 9, name: 'V6 App', url: 'https://[2001:db8::1]:8443/' }
    const found = detect(
      [ff],
      [sock(300, '2001:0db8:0000:0000:0000:0000:0000:0001', 8443), sock(300, '::ffff:198.51.100.20', 443)],
      { webResources: [v6, CRM], resolved: { 'crm.example.com': ['198.51.100.20'] } },
    )
    // ordered by root pid, then resource id
    expect(found.map((d) => [d.resourceName, d.host, d.client])).toEqual([
      ['CRM', 'crm.example.com', 'firefox-esr'],
      ['V6 App', '2001:db8::1', 'firefox-esr'],
    ])
  })

  it('Firefox: the main process owns the sockets; content processes roll up to it', () => {
    const main = proc(300, ['firefox'])
    const content = proc(301, ['/usr/lib/firefox/firefox', '-contentproc', '-childID', '1', '300', 'tab'], {
      ppid: 300,
    })
    const found = detect([main, content], [sock(301, '198.51.100.20', 443)], {
      webResources: [CRM],
      resolved: { 'crm.example.com': ['198.51.100.20'] },
    })
    expect(found.map((d) => [d.root.pid, d.members.map((m) => m.pid)])).toEqual([[300, [301]]])
  })

  it('macOS Chrome: the Helper process links to "Google Chrome"', () => {
    const app = proc(400, ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'])
    const helper = proc(
      401,
      [
        '/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/120.0/Helpers/Google Chrome Helper.app/Contents/MacOS/Google Chrome Helper',
        '--type=utility',
        '--utility-sub-type=network.mojom.NetworkService',
      ],
      { ppid: 400 },
    )
    const found = detect([app, helper], [sock(401, '198.51.100.20', 443)], {
      webResources: [CRM],
      resolved: { 'crm.example.com': ['198.51.100.20'] },
    })
    expect(found.map((d) => [d.root.pid, d.client])).toEqual([[400, 'google chrome']])
  })

  it('Windows chrome.exe', () => {
    const exe = 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'
    const root = proc(500, ['chrome.exe'], { exe })
    const net = proc(
      501,
      ['chrome.exe', '--type=utility', '--utility-sub-type=network.mojom.NetworkService'],
      { exe, ppid: 500 },
    )
    const found = detect([root, net], [sock(501, '198.51.100.20', 443)], {
      webResources: [CRM],
      resolved: { 'crm.example.com': ['198.51.100.20'] },
    })
    expect(found.map((d) => [d.root.pid, d.client, d.flags])).toEqual([[500, 'chrome', ['in-browser']]])
  })

  it('a browser root stops at a parent of another family (Session Warden launched it)', () => {
    const warden = proc(50, ['/opt/Session Warden/session-warden'])
    const tree = chromiumTree(600)
    const found = detect([warden, ...tree], [sock(604, '127.0.0.1', 8766)], {
      webResources: [INTRANET],
      launched: [[600, 7]],
      selfPid: 50,
    })
    expect(found.map((d) => [d.root.pid, d.flags])).toEqual([[600, ['launched']]])
  })

  it('resources sharing an endpoint: the launched-for resource wins, else the first configured', () => {
    const a: WebResource = { id: 1, name: 'App A', url: 'https://apps.example.com/a' }
    const b: WebResource = { id: 2, name: 'App B', url: 'https://apps.example.com/b' }
    const opts = { webResources: [a, b], resolved: { 'apps.example.com': ['198.51.100.50'] } }
    const tree = chromiumTree(700)
    const s = sock(704, '198.51.100.50', 443)
    expect(detect(tree, [s], opts).map((d) => d.resourceId)).toEqual([1])
    expect(detect(tree, [s], { ...opts, launched: [[700, 2]] }).map((d) => d.resourceId)).toEqual([2])
  })

  it('a launched browser reaching another resource is still the launched browser', () => {
    const tree = chromiumTree(700)
    const found = detect(tree, [sock(704, '198.51.100.20', 443)], {
      webResources: [CRM],
      resolved: { 'crm.example.com': ['198.51.100.20'] },
      launched: [[700, 99]],
    })
    expect(found.map((d) => [d.flags, d.endable])).toEqual([[['launched'], true]])
  })

  it('not sessions: wrong port, other host, unresolved host, non-browser, bad URL, no resources, self', () => {
    const tree = chromiumTree(100)
    const opts: CtxOpts = { webResources: [CRM], resolved: { 'crm.example.com': ['198.51.100.20'] } }
    expect(detect(tree, [sock(104, '198.51.100.20', 8080)], opts)).toEqual([])
    expect(detect(tree, [sock(104, '198.51.100.99', 443)], opts)).toEqual([])
    expect(detect(tree, [sock(104, '198.51.100.20', 443)], { webResources: [CRM] })).toEqual([])
    expect(
      detect([proc(9, ['curl', 'https://crm.example.com'])], [sock(9, '198.51.100.20', 443)], opts),
    ).toEqual([])
    expect(
      detect([proc(9, ['python3', '-m', 'http.server'])], [sock(9, '198.51.100.20', 443)], opts),
    ).toEqual([])
    expect(
      detect(tree, [sock(104, '198.51.100.20', 443)], { webResources: [{ id: 1, name: 'x', url: '::' }] }),
    ).toEqual([])
    expect(detect(tree, [sock(104, '198.51.100.20', 443)], {})).toEqual([])
    expect(detect(tree, [sock(104, '198.51.100.20', 443)], { ...opts, selfPid: 104 })).toEqual([])
  })
})
