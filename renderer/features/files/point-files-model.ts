/**
 * The file browser of a point as data: which volumes a point has (and which can be opened),
 * guest path segments for the breadcrumbs, the name search, and how entries sort.
 */
import type { GuestEntryView } from '../../../shared/contract/guest-channels.ts';

export interface VolumeView {
  id: string;
  kind: 'partition' | 'logical-volume' | 'whole-disk';
  size: number;
  label?: string | undefined;
  filesystem: string;
  readable: boolean;
  reason?: string | undefined;
}

export interface PartsView {
  disks: { disk: number; name: string; volumes: VolumeView[] }[];
  logicalVolumes: VolumeView[];
}

/** A volume of the point as the engine's files.* channels choose it. */
export interface VolumeChoice {
  key: string;
  disk?: number;
  partition: string;
  title: string;
  size: number;
  readable: boolean;
  reason?: string | undefined;
}

export function volumeChoices(parts: PartsView): VolumeChoice[] {
  const out: VolumeChoice[] = [];
  const name = (volume: VolumeView) => `${volume.filesystem}${volume.label ? ` "${volume.label}"` : ''}`;
  for (const disk of parts.disks) {
    for (const volume of disk.volumes) {
      if (volume.filesystem === 'lvm2-pv') continue;
      const where = volume.kind === 'whole-disk' ? disk.name : `${disk.name} · partition ${volume.id}`;
      out.push({
        key: `${disk.disk}:${volume.id}`, disk: disk.disk, partition: volume.id, title: `${where} (${name(volume)})`,
        size: volume.size, readable: volume.readable, reason: volume.reason,
      });
    }
  }
  for (const volume of parts.logicalVolumes) {
    out.push({
      key: `lv:${volume.id}`, partition: volume.id, title: `Logical volume ${volume.id} (${name(volume)})`,
      size: volume.size, readable: volume.readable, reason: volume.reason,
    });
  }
  return out;
}

/** The volume opened first: the only readable one, else the largest readable partition. */
export function defaultVolume(choices: VolumeChoice[]): VolumeChoice | undefined {
  return choices.filter((choice) => choice.readable).sort((a, b) => b.size - a.size)[0];
}

export interface GuestSegment { label: string; path: string }

/** "/" then each folder down to `path`. */
export function guestSegments(path: string): GuestSegment[] {
  const parts = path.split('/').filter((part) => part !== '');
  return [{ label: '/', path: '/' }, ...parts.map((part, index) => ({ label: part, path: `/${parts.slice(0, index + 1).join('/')}` }))];
}

export function childPath(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}

/** Entries whose name holds `query` (any case); folders first, then by name. */
export function shownEntries(entries: GuestEntryView[], query: string): GuestEntryView[] {
  const needle = query.trim().toLocaleLowerCase();
  return entries
    .filter((entry) => needle === '' || entry.name.toLocaleLowerCase().includes(needle))
    .slice()
    .sort((a, b) => (a.type === 'dir') === (b.type === 'dir') ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1);
}
