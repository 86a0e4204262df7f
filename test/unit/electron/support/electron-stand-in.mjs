// A recording stand-in for the `electron` module, bundled in place of the real one so
// the main-process bundle's start-up can be exercised under plain Node. Electron itself
// cannot run on the build machines (its binary cannot be downloaded): this checks our
// wiring (what is called, in which order, with which options), not Electron.
// Everything it records is on globalThis.__labvaultElectronStandIn.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const record = {
  order: [],
  paths: {},
  schemes: [],
  protocolHandlers: {},
  ipcHandlers: new Map(),
  removedHandlers: [],
  windows: [],
  trays: [],
  notifications: [],
  dialogs: [],
  errorBoxes: [],
  quits: 0,
  exits: [],
  ready: false,
};
globalThis.__labvaultElectronStandIn = record;
// Set below once the app object exists (the driver calls record.app.quit()).

function standInSession() {
  return {
    handlers: {},
    setPermissionRequestHandler(handler) { this.handlers.request = handler; },
    setPermissionCheckHandler(handler) { this.handlers.check = handler; },
    webRequest: { onHeadersReceived(listener) { record.headersListener = listener; } },
  };
}
const defaultSession = standInSession();

class StandInApp extends EventEmitter {
  constructor() {
    super();
    this.name = 'Electron';
    this.isPackaged = false;
    this.appPath = process.env.STAND_IN_APP_PATH ?? process.cwd();
  }
  setName(name) { record.order.push(`setName:${name}`); this.name = name; }
  getName() { return this.name; }
  getVersion() { return '0.0.0-stand-in'; }
  getAppPath() { return this.appPath; }
  setPath(name, path) { record.order.push(`setPath:${name}`); record.paths[name] = path; }
  getPath(name) {
    if (record.paths[name]) return record.paths[name];
    if (name === 'logs') return join(record.paths.userData ?? process.cwd(), 'logs');
    return join(record.paths.userData ?? process.cwd(), name);
  }
  setAppLogsPath(path) { record.paths.logs = path ?? join(this.getPath('userData'), 'logs'); }
  setAppUserModelId() {}
  requestSingleInstanceLock() { record.order.push('requestSingleInstanceLock'); return true; }
  isReady() { return record.ready; }
  whenReady() {
    return new Promise((resolve) => setTimeout(() => {
      record.ready = true;
      record.order.push('ready');
      this.emit('ready');
      resolve();
    }, 10));
  }
  quit() {
    record.quits += 1;
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) record.order.push('quit');
  }
  exit(code) { record.exits.push(code); }
  focus() {}
}
export const app = new StandInApp();
record.app = app;

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    record.order.push('registerSchemesAsPrivileged');
    record.schemes.push(...schemes);
  },
  handle(scheme, handler) {
    record.order.push(`protocol.handle:${scheme}`);
    record.protocolHandlers[scheme] = handler;
  },
};

class StandInWebContents extends EventEmitter {
  constructor() {
    super();
    this.session = defaultSession;
    this.url = '';
    this.sent = [];
  }
  isDestroyed() { return false; }
  getURL() { return this.url; }
  getType() { return 'window'; }
  send(channel, payload) { this.sent.push([channel, payload]); }
  setWindowOpenHandler(handler) { this.windowOpenHandler = handler; }
}

export class BrowserWindow extends EventEmitter {
  static getAllWindows() { return record.windows.filter((window) => !window.destroyed); }
  constructor(options) {
    super();
    this.options = options;
    this.visible = false;
    this.destroyed = false;
    this.webContents = new StandInWebContents();
    record.windows.push(this);
    app.emit('web-contents-created', { preventDefault() {} }, this.webContents);
  }
  async loadURL(url) {
    this.webContents.url = url;
    setTimeout(() => this.emit('ready-to-show'), 0);
  }
  show() { this.visible = true; }
  hide() { this.visible = false; }
  focus() {}
  restore() {}
  isMinimized() { return false; }
  isVisible() { return this.visible; }
  isDestroyed() { return this.destroyed; }
  close() {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('close', event);
    if (!event.defaultPrevented) {
      this.destroyed = true;
      this.emit('closed');
    }
  }
}

export class Menu {
  static buildFromTemplate(template) { return { template }; }
  static setApplicationMenu() {}
}

export class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.image = image;
    this.destroyed = false;
    record.trays.push(this);
  }
  setToolTip(text) { this.toolTip = text; }
  setContextMenu(menu) { this.menu = menu; }
  destroy() { this.destroyed = true; }
  isDestroyed() { return this.destroyed; }
}

export const nativeImage = {
  createFromPath(path) { return { path, template: false, isEmpty: () => !existsSync(path), setTemplateImage(value) { this.template = value; } }; },
  createEmpty() { return { isEmpty: () => true, setTemplateImage() {} }; },
};

export class Notification extends EventEmitter {
  static isSupported() { return true; }
  constructor(options) { super(); this.options = options; }
  show() { record.notifications.push(this.options); }
  close() {}
}

export const dialog = {
  async showOpenDialog(...args) {
    const options = args.length > 1 ? args[1] : args[0];
    record.dialogs.push({ modal: args.length > 1, options });
    return { canceled: false, filePaths: options.properties.includes('openDirectory') ? ['/picked/folder'] : ['/picked/a.qcow2', '/picked/b.vmdk'] };
  },
  showErrorBox(title, content) { record.errorBoxes.push({ title, content }); },
};

export const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (text) => Buffer.from(`stand-in:${text}`),
  decryptString: (blob) => blob.toString().replace(/^stand-in:/, ''),
  getSelectedStorageBackend: () => 'gnome_libsecret',
};

export const ipcMain = {
  handle(channel, listener) { record.ipcHandlers.set(channel, listener); },
  removeHandler(channel) { record.ipcHandlers.delete(channel); record.removedHandlers.push(channel); },
  on() {},
};

export const session = { defaultSession };
export const webContents = { getAllWebContents: () => record.windows.map((window) => window.webContents) };
export const shell = { openExternal: async () => { throw new Error('stand-in: shell.openExternal must not be called'); } };
export const powerSaveBlocker = {
  start(type) { record.order.push(`powerSaveBlocker.start:${type}`); return 1; },
  stop() { record.order.push('powerSaveBlocker.stop'); return true; },
  isStarted: () => false,
};
