/**
 * The built preload bundle (esbuild, same options as `npm run build`) evaluated in a
 * plain vm context. Electron cannot run on this machine (its binary cannot be
 * downloaded), so contextBridge and ipcRenderer are stand-ins that record calls: this
 * checks what the bundle exposes and refuses, not Electron itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInContext, createContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preloadBundle } from '../../../build/bundles.mjs';
import { channelNames } from '../../../shared/contract/channels.ts';
import { eventNames } from '../../../shared/contract/events.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

interface Bridge {
  invoke(channel: unknown, input: unknown): Promise<{ ok: boolean; error?: { code: string } }>;
  subscribe(event: unknown, listener: unknown): () => void;
}

type IpcListener = (event: unknown, ...args: unknown[]) => void;

interface Loaded {
  exposed: Map<string, unknown>;
  required: string[];
  invokes: Array<[string, unknown]>;
  listeners: Map<string, Set<IpcListener>>;
}

const root = join(import.meta.dirname, '..', '..', '..');
let source = '';
let dir = '';

beforeAll(async () => {
  dir = makeTempDir('labvault-preload-');
  const options = preloadBundle(root, dir);
  await build({ ...options, logLevel: 'silent' });
  source = readFileSync(options.outfile, 'utf8');
});

afterAll(() => removeDir(dir));

function loadPreload(): Loaded {
  const loaded: Loaded = { exposed: new Map(), required: [], invokes: [], listeners: new Map() };
  const ipcRenderer = {
    invoke: (channel: string, input: unknown) => {
      loaded.invokes.push([channel, input]);
      return Promise.resolve({ ok: true, value: { echoed: channel } });
    },
    on: (channel: string, listener: IpcListener) => {
      if (!loaded.listeners.has(channel)) loaded.listeners.set(channel, new Set());
      loaded.listeners.get(channel)!.add(listener);
      return ipcRenderer;
    },
    removeListener: (channel: string, listener: IpcListener) => {
      loaded.listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
    send: () => {
      throw new Error('the preload must not use ipcRenderer.send');
    },
  };
  const contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => {
      loaded.exposed.set(key, api);
    },
  };
  const sandboxRequire = (name: string) => {
    loaded.required.push(name);
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  const module = { exports: {} };
  const context = createContext({ console });
  const wrapper = runInContext(`(function (exports, require, module) {${source}\n})`, context) as (exports: unknown, require: unknown, module: unknown) => void;
  wrapper(module.exports, sandboxRequire, module);
  return loaded;
}

function bridgeOf(loaded: Loaded): Bridge {
  return loaded.exposed.get('labvault') as Bridge;
}

describe('preload bundle in a vm with stand-in contextBridge/ipcRenderer (Electron does not run here)', () => {
  it('requires only electron and exposes exactly window.labvault = { invoke, subscribe }', () => {
    const loaded = loadPreload();
    expect(new Set(loaded.required)).toEqual(new Set(['electron']));
    expect([...loaded.exposed.keys()]).toEqual(['labvault']);
    const bridge = bridgeOf(loaded);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
    expect(typeof bridge.invoke).toBe('function');
    expect(typeof bridge.subscribe).toBe('function');
  });

  it('forwards every contract channel to ipcRenderer.invoke with its input', async () => {
    const loaded = loadPreload();
    const bridge = bridgeOf(loaded);
    for (const channel of channelNames) {
      const result = await bridge.invoke(channel, { probe: channel });
      expect(result).toEqual({ ok: true, value: { echoed: channel } });
    }
    expect(loaded.invokes).toEqual(channelNames.map((channel) => [channel, { probe: channel }]));
  });

  it('refuses unknown channels without touching IPC', async () => {
    const loaded = loadPreload();
    const bridge = bridgeOf(loaded);
    for (const channel of ['nope.unknown', '__proto__', 'constructor', 'toString', '', 42, null, undefined, { toString: () => channelNames[0] }]) {
      const result = await bridge.invoke(channel, {});
      expect(result.ok).toBe(false);
      expect(result.error?.code).toBe('INVALID_INPUT');
    }
    expect(loaded.invokes).toEqual([]);
  });

  it('subscribes to contract events and hands the listener the payload only, never the IPC event', () => {
    const loaded = loadPreload();
    const bridge = bridgeOf(loaded);
    const event = eventNames[0]!;
    const received: unknown[][] = [];
    const unsubscribe = bridge.subscribe(event, (...args: unknown[]) => received.push(args));
    const registered = [...(loaded.listeners.get(event) ?? [])];
    expect(registered).toHaveLength(1);
    const ipcEvent = { sender: { send: () => undefined }, senderId: 0 };
    registered[0]!(ipcEvent, { reason: 'created' });
    expect(received).toEqual([[{ reason: 'created' }]]);
    unsubscribe();
    unsubscribe();
    expect(loaded.listeners.get(event)?.size).toBe(0);
  });

  it('refuses unknown events and non-function listeners', () => {
    const loaded = loadPreload();
    const bridge = bridgeOf(loaded);
    expect(() => bridge.subscribe('nope', () => undefined)).toThrow(/Unknown event/);
    expect(() => bridge.subscribe('__proto__', () => undefined)).toThrow(/Unknown event/);
    expect(() => bridge.subscribe(eventNames[0], 'not a function')).toThrow(/listener function/);
    expect(loaded.listeners.size).toBe(0);
  });
});
