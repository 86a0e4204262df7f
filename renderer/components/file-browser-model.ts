/**
 * The file browser's pure logic: breadcrumb segments of a path (POSIX and Windows), what
 * may be selected in each mode, and what a typed path means. No DOM, so tests run it.
 */
import type { LocalEntry } from '../../shared/contract/local-files-channels.ts';

/** folder: choose one folder; files: choose files; any: files and folders. */
export type FileBrowserMode = 'folder' | 'files' | 'any';

export interface PathSegment {
  label: string;
  path: string;
}

/** "/srv/vms/web" -> [/, srv, vms, web]; "C:\\VMs\\web" -> [C:\\, VMs, web]. */
export function pathSegments(path: string): PathSegment[] {
  const windows = /^[A-Za-z]:[\\/]/.exec(path);
  const separator = windows ? '\\' : '/';
  const root = windows ? `${path.slice(0, 2)}\\` : '/';
  const parts = path.slice(root.length).split(/[\\/]/).filter((part) => part !== '');
  const segments: PathSegment[] = [{ label: root, path: root }];
  let current = root;
  for (const part of parts) {
    current = current.endsWith(separator) ? `${current}${part}` : `${current}${separator}${part}`;
    segments.push({ label: part, path: current });
  }
  return segments;
}

/** Folders (and symlinks to folders) can be opened. */
export function opensAsFolder(entry: Pick<LocalEntry, 'type' | 'targetType'>): boolean {
  return entry.type === 'folder' || (entry.type === 'symlink' && entry.targetType === 'folder');
}

export function selectable(entry: Pick<LocalEntry, 'type' | 'targetType'>, mode: FileBrowserMode): boolean {
  const folder = opensAsFolder(entry);
  const file = entry.type === 'file' || (entry.type === 'symlink' && entry.targetType === 'file');
  switch (mode) {
    case 'folder': return folder;
    case 'files': return file;
    case 'any': return folder || file;
  }
}

/** A one-line description of the entry's type for the list. */
export function entryKind(entry: Pick<LocalEntry, 'type' | 'targetType' | 'linkTarget'>): string {
  switch (entry.type) {
    case 'folder': return 'Folder';
    case 'file': return 'File';
    case 'other': return 'Special file';
    case 'symlink':
      if (entry.targetType === 'missing') return `Broken link → ${entry.linkTarget ?? '?'}`;
      return `Link to ${entry.targetType === 'folder' ? 'folder' : 'file'} → ${entry.linkTarget ?? '?'}`;
  }
}

/** Globs are not paths: the protect step refuses them, so the browser says so before asking the engine. */
export function typedPathProblem(typed: string): string | null {
  const text = typed.trim();
  if (text === '') return 'Type a path.';
  if (/^["'].*["']$/.test(text)) return 'Type the path without quotes.';
  if (/[*?[\]]/.test(text)) return 'Wildcards are not supported: open the folder and choose the files.';
  if (!(text.startsWith('/') || text === '~' || text.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(text))) {
    return 'Type a full path (from / or a drive letter, or ~ for your home folder).';
  }
  return null;
}

/**
 * Who owns the path field: a listing that arrives shows its folder's path there only when the
 * navigation came from a click (crumb, Up, a folder in the list, the first listing) and the
 * user has not typed since it started, and not while the field has the focus (the user may
 * have selected its text to type over it: replacing the text then would make the next
 * keystrokes append to the listed path). A path the user typed is never overwritten: not by
 * a listing that arrives late, not by the listing of the folder the typed path opened.
 */
export interface TypedPathGuard {
  /** The user changed the field's text. */
  edited(): void;
  /** A navigation by a click: its listing may show its path unless the user types meanwhile. */
  navigatedByClick(): void;
  /** A navigation from the typed text: the field keeps what the user typed. */
  navigatedFromTyped(): void;
  /** The field got (true) or lost (false) the focus. */
  focused(on: boolean): void;
  /** Whether the listing arriving now may put its path into the field. */
  listingMayReplace(): boolean;
}

export function typedPathGuard(): TypedPathGuard {
  let edits = 0;
  /** The edit count when the current navigation started by a click; null when it came from typed text. */
  let clickedAt: number | null = 0;
  let hasFocus = false;
  return {
    edited() { edits += 1; },
    navigatedByClick() { clickedAt = edits; },
    navigatedFromTyped() { clickedAt = null; },
    focused(on) { hasFocus = on; },
    listingMayReplace() { return clickedAt === edits && !hasFocus; },
  };
}
