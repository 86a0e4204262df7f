/**
 * The slice of Electron's API that Labvault's desktop face uses, so `tsc` can check
 * electron/main.ts, preload.ts, ipc.ts and electron/desktop/ on machines where the
 * electron package (and its electron.d.ts) is not installed: electron is an
 * optionalDependency and its binary cannot be downloaded on the build machines.
 *
 * Why an ambient module and not a facade: TypeScript resolves an ambient
 * `declare module 'electron'` before looking in node_modules, so this file never
 * conflicts with the real package when it is installed; it simply wins. To check the
 * code against Electron's own declarations, run `npm run typecheck:electron`
 * (build/typecheck-electron.mjs): it typechecks the same files with this file left out
 * and the real electron.d.ts in its place. Every declaration below is a subset of
 * Electron 41's, written with the same names and shapes; add what new code needs, in
 * the same form as electron.d.ts.
 */
declare module 'electron' {
  import type { EventEmitter } from 'node:events';

  interface Event {
    preventDefault(): void;
    readonly defaultPrevented: boolean;
  }

  type PathName = 'home' | 'appData' | 'userData' | 'sessionData' | 'temp' | 'exe' | 'module' | 'desktop' | 'documents' | 'downloads' | 'logs' | 'crashDumps';

  interface Dock {
    show(): Promise<void>;
    hide(): void;
  }

  interface App extends EventEmitter {
    readonly isPackaged: boolean;
    name: string;
    dock?: Dock;
    setName(name: string): void;
    getName(): string;
    getVersion(): string;
    getAppPath(): string;
    getPath(name: PathName): string;
    setPath(name: string, path: string): void;
    setAppLogsPath(path?: string): void;
    setAppUserModelId(id: string): void;
    requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean;
    whenReady(): Promise<void>;
    quit(): void;
    exit(exitCode?: number): void;
    focus(options?: { steal: boolean }): void;
    on(event: 'second-instance', listener: (event: Event, argv: string[], workingDirectory: string, additionalData: unknown) => void): this;
    on(event: 'window-all-closed' | 'will-quit' | 'quit', listener: () => void): this;
    on(event: 'before-quit', listener: (event: Event) => void): this;
    on(event: 'activate', listener: (event: Event, hasVisibleWindows: boolean) => void): this;
    on(event: 'web-contents-created', listener: (event: Event, webContents: WebContents) => void): this;
  }

  interface WebFrameMain {
    readonly url: string;
    readonly origin: string;
    readonly parent: WebFrameMain | null;
  }

  interface HandlerDetails {
    url: string;
    frameName: string;
    features: string;
    disposition: 'default' | 'foreground-tab' | 'background-tab' | 'new-window' | 'other';
  }

  type WindowOpenHandlerResponse = { action: 'deny' } | { action: 'allow'; overrideBrowserWindowOptions?: BrowserWindowConstructorOptions };

  interface RenderProcessGoneDetails {
    reason: string;
    exitCode: number;
  }

  interface WebPreferences {
    preload?: string;
    sandbox?: boolean;
    contextIsolation?: boolean;
    nodeIntegration?: boolean;
    nodeIntegrationInWorker?: boolean;
    nodeIntegrationInSubFrames?: boolean;
    webSecurity?: boolean;
    allowRunningInsecureContent?: boolean;
    experimentalFeatures?: boolean;
    webviewTag?: boolean;
    navigateOnDragDrop?: boolean;
    spellcheck?: boolean;
    safeDialogs?: boolean;
    devTools?: boolean;
    disableBlinkFeatures?: string;
  }

  interface BrowserWindowConstructorOptions {
    width?: number;
    height?: number;
    minWidth?: number;
    minHeight?: number;
    show?: boolean;
    title?: string;
    icon?: string | NativeImage;
    backgroundColor?: string;
    autoHideMenuBar?: boolean;
    webPreferences?: WebPreferences;
  }

  interface OnHeadersReceivedListenerDetails {
    url: string;
    resourceType: string;
    responseHeaders?: Record<string, string[]>;
  }

  interface HeadersReceivedResponse {
    cancel?: boolean;
    responseHeaders?: Record<string, string | string[]>;
  }

  interface WebRequest {
    onHeadersReceived(listener: ((details: OnHeadersReceivedListenerDetails, callback: (response: HeadersReceivedResponse) => void) => void) | null): void;
  }

  interface Session {
    readonly webRequest: WebRequest;
    setPermissionRequestHandler(handler: ((webContents: WebContents, permission: string, callback: (permissionGranted: boolean) => void) => void) | null): void;
    setPermissionCheckHandler(handler: ((webContents: WebContents | null, permission: string, requestingOrigin: string) => boolean) | null): void;
  }

  interface WebContents extends NodeJS.EventEmitter {
    readonly id: number;
    readonly session: Session;
    isDestroyed(): boolean;
    getURL(): string;
    getType(): 'backgroundPage' | 'window' | 'browserView' | 'remote' | 'webview' | 'offscreen';
    send(channel: string, ...args: unknown[]): void;
    setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
    on(event: 'will-navigate' | 'will-redirect', listener: (event: Event, url: string) => void): this;
    on(event: 'will-attach-webview', listener: (event: Event, webPreferences: WebPreferences, params: Record<string, string>) => void): this;
    on(event: 'preload-error', listener: (event: Event, preloadPath: string, error: Error) => void): this;
    on(event: 'render-process-gone', listener: (event: Event, details: RenderProcessGoneDetails) => void): this;
  }

  class BrowserWindow extends EventEmitter {
    constructor(options?: BrowserWindowConstructorOptions);
    static getAllWindows(): BrowserWindow[];
    readonly webContents: WebContents;
    loadURL(url: string): Promise<void>;
    show(): void;
    hide(): void;
    focus(): void;
    restore(): void;
    isMinimized(): boolean;
    isVisible(): boolean;
    isDestroyed(): boolean;
    on(event: 'close', listener: (event: Event) => void): this;
    on(event: 'closed' | 'ready-to-show', listener: () => void): this;
    once(event: 'ready-to-show', listener: () => void): this;
  }

  interface CustomScheme {
    scheme: string;
    privileges?: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean; corsEnabled?: boolean; stream?: boolean; bypassCSP?: boolean; allowServiceWorkers?: boolean; codeCache?: boolean };
  }

  interface Protocol {
    registerSchemesAsPrivileged(customSchemes: CustomScheme[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  }

  interface NativeImage {
    isEmpty(): boolean;
    setTemplateImage(option: boolean): void;
  }

  interface NativeImageStatic {
    createFromPath(path: string): NativeImage;
    createEmpty(): NativeImage;
  }

  interface MenuItemConstructorOptions {
    label?: string;
    type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
    enabled?: boolean;
    click?: () => void;
    role?: 'quit' | 'about' | 'appMenu' | 'editMenu' | 'windowMenu' | 'reload' | 'toggleDevTools' | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen' | 'close';
    submenu?: MenuItemConstructorOptions[];
  }

  class Menu {
    static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu;
    static setApplicationMenu(menu: Menu | null): void;
  }

  class Tray extends EventEmitter {
    constructor(image: NativeImage | string, guid?: string);
    setToolTip(toolTip: string): void;
    setContextMenu(menu: Menu | null): void;
    destroy(): void;
    isDestroyed(): boolean;
    on(event: 'click' | 'double-click', listener: () => void): this;
  }

  interface NotificationConstructorOptions {
    title?: string;
    body?: string;
    silent?: boolean;
    icon?: string | NativeImage;
    urgency?: 'normal' | 'critical' | 'low';
  }

  class Notification extends EventEmitter {
    constructor(options?: NotificationConstructorOptions);
    static isSupported(): boolean;
    show(): void;
    close(): void;
    on(event: 'click' | 'close', listener: () => void): this;
  }

  interface FileFilter {
    name: string;
    extensions: string[];
  }

  interface OpenDialogOptions {
    title?: string;
    defaultPath?: string;
    buttonLabel?: string;
    filters?: FileFilter[];
    properties?: Array<'openFile' | 'openDirectory' | 'multiSelections' | 'showHiddenFiles' | 'createDirectory' | 'promptToCreate' | 'noResolveAliases' | 'treatPackageAsDirectory' | 'dontAddToRecent'>;
  }

  interface OpenDialogReturnValue {
    canceled: boolean;
    filePaths: string[];
  }

  interface Dialog {
    showOpenDialog(window: BrowserWindow, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
    showOpenDialog(options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
    showErrorBox(title: string, content: string): void;
  }

  interface SafeStorage {
    isEncryptionAvailable(): boolean;
    encryptString(plainText: string): Buffer;
    decryptString(encrypted: Buffer): string;
  }

  interface IpcMainInvokeEvent extends Event {
    readonly senderFrame: WebFrameMain | null;
    readonly sender: WebContents;
  }

  interface IpcMain {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: any[]) => Promise<any> | any): void;
    removeHandler(channel: string): void;
  }

  interface IpcRendererEvent extends Event {
    readonly sender: IpcRenderer;
  }

  interface IpcRenderer {
    invoke(channel: string, ...args: any[]): Promise<any>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: any[]) => void): this;
    removeListener(channel: string, listener: (...args: any[]) => void): this;
  }

  interface PowerSaveBlocker {
    start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
    stop(id: number): boolean;
    isStarted(id: number): boolean;
  }

  interface ContextBridge {
    exposeInMainWorld(apiKey: string, api: any): void;
  }

  const app: App;
  const protocol: Protocol;
  const nativeImage: NativeImageStatic;
  const dialog: Dialog;
  const safeStorage: SafeStorage;
  const ipcMain: IpcMain;
  const ipcRenderer: IpcRenderer;
  const contextBridge: ContextBridge;
  const powerSaveBlocker: PowerSaveBlocker;
}
