/**
 * The metadata walk of a test restore on FAT: the boot sector (already checked on open),
 * the first FAT's media entry, the root directory, then a bounded breadth-first sample of
 * entries (directories read, each file's cluster chain followed against its size, chains
 * longer than the size reported). Damage becomes findings; nothing throws.
 */
import type { GuestCheckFinding } from '../guest-filesystem.ts';
import { CheckFindings, messageOf } from '../check-findings.ts';
import { FatAttributes } from './fat-directory.ts';
import type { FatDirent } from './fat-directory.ts';
import type { FatTable, ClusterRun } from './fat-table.ts';

/** What the check reads of a FAT filesystem (fat-filesystem.ts passes itself). */
export interface FatWalk {
  readonly table: FatTable;
  firstCluster(dirent: FatDirent): number;
  directory(dirent: FatDirent | null, path: string): Promise<FatDirent[]>;
  fileRuns(dirent: FatDirent, path: string): Promise<ClusterRun[]>;
}


export async function checkFatMetadata(fs: FatWalk, maxInodes: number): Promise<GuestCheckFinding[]> {
  const findings = new CheckFindings();
  const add = (severity: GuestCheckFinding['severity'], kind: string, message: string): void => findings.add(severity, kind, message);
  try {
    const media = await fs.table.entry(0);
    if ((media & 0xf0) !== 0xf0) add('error', 'bad-fat', `The FAT's first entry ${media.toString(16)} is not a media descriptor.`);
  } catch (error) {
    add('error', 'bad-fat', messageOf(error));
  }
  const queue: { dirent: FatDirent | null; path: string }[] = [{ dirent: null, path: '/' }];
  let visited = 0;
  while (queue.length > 0 && visited < Math.max(1, maxInodes)) {
    const node = queue.shift() as { dirent: FatDirent | null; path: string };
    visited += 1;
    try {
      if (node.dirent === null || (node.dirent.attributes & FatAttributes.DIRECTORY) !== 0) {
        for (const child of await fs.directory(node.dirent, node.path)) {
          if (queue.length < maxInodes) queue.push({ dirent: child, path: node.path === '/' ? `/${child.name}` : `${node.path}/${child.name}` });
        }
      } else if (node.dirent.size > 0) {
        const runs = await fs.fileRuns(node.dirent, node.path);
        const last = runs[runs.length - 1];
        if (last && !(await fs.table.isEndOfChain(last.cluster + last.count - 1))) {
          add('warning', 'chain-longer-than-size', `${node.path}: its cluster chain goes on past its size ${node.dirent.size}.`);
        }
      } else if (fs.firstCluster(node.dirent) !== 0) {
        add('warning', 'chain-longer-than-size', `${node.path}: it is empty but owns clusters.`);
      }
    } catch (error) {
      add('error', node.dirent === null ? 'unreadable-root' : 'bad-entry', messageOf(error));
    }
  }
  return findings.finish();
}
