/**
 * THE contract: every channel between a face (Electron IPC, browser WebSocket, tests)
 * and the engine. Keys are "<group>.<method>"; nobody else writes these strings.
 */
import type { z } from '../zod-jitless.ts';
import { appChannels } from './app-channels.ts';
import { dashboardChannels } from './dashboard-channels.ts';
import { guestChannels } from './guest-channels.ts';
import { imageChannels } from './image-channels.ts';
import { localFilesChannels } from './local-files-channels.ts';
import { maintenanceChannels } from './maintenance-channels.ts';
import { pointCompareChannels } from './point-compare-channels.ts';
import { policyChannels } from './policy-channels.ts';
import { protectionChannels } from './protection-channels.ts';
import { restoreVmChannels } from './restore-vm-channels.ts';
import { restoreReplaceChannels } from './restore-replace-channels.ts';
import { vaultChannels } from './vault-channels.ts';
import { vmChannels } from './vm-channels.ts';

export const channels = {
  ...appChannels,
  ...vaultChannels,
  ...protectionChannels,
  ...policyChannels,
  ...dashboardChannels,
  ...maintenanceChannels,
  ...imageChannels,
  ...guestChannels,
  ...localFilesChannels,
  ...vmChannels,
  ...restoreVmChannels,
  ...restoreReplaceChannels,
  ...pointCompareChannels,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>;

export const channelNames = Object.keys(channels) as ChannelName[];

export function isChannelName(value: unknown): value is ChannelName {
  return typeof value === 'string' && Object.hasOwn(channels, value);
}

type GroupOf<C extends string> = C extends `${infer G}.${string}` ? G : never;
type MethodOf<C extends string, G extends string> = C extends `${G}.${infer M}` ? M : never;
export type ChannelGroup = GroupOf<ChannelName>;

type Key<G extends string, M extends string> = Extract<`${G}.${M}`, ChannelName>;
type HandlerFn<C extends ChannelName> = (input: z.output<Channels[C]['input']>) => Promise<ChannelOutput<C>>;
type ClientFn<C extends ChannelName> = (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;

/** The engine-side shape: handlers grouped like the channel names ('vaults.create' -> handlers.vaults.create). */
export type ChannelHandlers = {
  [G in ChannelGroup]: { [M in MethodOf<ChannelName, G>]: HandlerFn<Key<G, M>> };
};

/** The renderer-side shape: one named function per channel. */
export type ChannelClient = {
  [G in ChannelGroup]: { [M in MethodOf<ChannelName, G>]: ClientFn<Key<G, M>> };
};

export function splitChannel(name: ChannelName): [string, string] {
  const dot = name.indexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}
