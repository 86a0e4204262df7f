// Runs the main-process bundle (built with the electron stand-in) in a plain Node
// process, drives it like Electron would, and prints what happened as one JSON line.
// Started by main-process.test.ts with STAND_IN_PLAN (channel names, paths) in the env.
const plan = JSON.parse(process.env.STAND_IN_PLAN ?? '{}');
const TIMEOUT_MS = 20_000;

async function waitFor(condition, what) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > TIMEOUT_MS) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

await import(plan.mainBundle);
const s = globalThis.__labvaultElectronStandIn;
await waitFor(() => s.windows.length > 0 && s.windows[0].visible, 'the main window to show');
const window = s.windows[0];
const contents = window.webContents;
const result = { order: s.order, paths: s.paths, schemes: s.schemes };

result.window = {
  options: window.options,
  url: contents.url,
  guards: Object.fromEntries(['will-navigate', 'will-redirect', 'will-attach-webview', 'preload-error', 'render-process-gone'].map((name) => [name, contents.listenerCount(name)])),
  openExternal: contents.windowOpenHandler({ url: 'https://example.com/' }),
  permissionHandlers: Object.keys(contents.session.handlers).sort(),
};

const serve = s.protocolHandlers[plan.scheme];
async function fetchApp(url) {
  const response = await serve(new Request(url));
  return { status: response.status, csp: response.headers.get('content-security-policy'), type: response.headers.get('content-type'), body: await response.text() };
}
result.protocol = {
  index: await fetchApp(`${plan.origin}/index.html`),
  route: await fetchApp(`${plan.origin}/vaults/lab-1`),
  asset: await fetchApp(`${plan.origin}/assets/app.js`),
  escape: await fetchApp(`${plan.origin}/assets/..%2f..%2f..%2fpackage.json`),
  missing: await fetchApp(`${plan.origin}/assets/missing.js`),
};

const trusted = { senderFrame: { url: `${plan.origin}/index.html` } };
const call = (channel, event, input) => s.ipcHandlers.get(channel)(event, input);
result.ipc = {
  channels: [...s.ipcHandlers.keys()].sort(),
  info: await call(plan.info, trusted, {}),
  untrusted: await call(plan.info, { senderFrame: { url: 'https://evil.example/' } }, {}),
  noFrame: await call(plan.info, { senderFrame: null }, {}),
  subframe: await call(plan.info, { senderFrame: { url: `${plan.origin}/index.html`, parent: { url: `${plan.origin}/index.html` } } }, {}),
  invalid: await call(plan.create, trusted, { name: 42 }),
  created: await call(plan.create, trusted, { name: 'lab-1', path: plan.vaultPath }),
  pickFolder: await call(plan.pickFolder, trusted, { title: 'Where?' }),
  pickFiles: await call(plan.pickFiles, trusted, {}),
};
result.sentEvents = contents.sent.map(([event]) => event);
result.dialogs = s.dialogs;
result.tray = s.trays.map((tray) => ({ labels: tray.menu.template.map((item) => item.label ?? item.type), toolTip: tray.toolTip }));

window.close();
result.afterClose = { destroyed: window.destroyed, visible: window.visible, notifications: s.notifications.map((notice) => notice.title) };

s.app.quit();
await waitFor(() => s.order.includes('quit'), 'the app to quit');
result.afterQuit = { handlersLeft: s.ipcHandlers.size, removed: s.removedHandlers.length, trayDestroyed: s.trays.every((tray) => tray.destroyed), exits: s.exits, errorBoxes: s.errorBoxes };

process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
