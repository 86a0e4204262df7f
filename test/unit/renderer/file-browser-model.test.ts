/** The file browser's pure logic: breadcrumbs, what each mode may select, typed-path checks. */
import { describe, expect, it } from 'vitest';
import {
  entryKind, opensAsFolder, pathSegments, selectable, typedPathGuard, typedPathProblem,
} from '../../../renderer/components/file-browser-model.ts';

describe('file browser model', () => {
  it('splits POSIX and Windows paths into breadcrumbs that each open their folder', () => {
    expect(pathSegments('/srv/vms/web')).toEqual([
      { label: '/', path: '/' }, { label: 'srv', path: '/srv' }, { label: 'vms', path: '/srv/vms' },
      { label: 'web', path: '/srv/vms/web' },
    ]);
    expect(pathSegments('/')).toEqual([{ label: '/', path: '/' }]);
    expect(pathSegments('C:\\VMs\\web')).toEqual([
      { label: 'C:\\', path: 'C:\\' }, { label: 'VMs', path: 'C:\\VMs' }, { label: 'web', path: 'C:\\VMs\\web' },
    ]);
  });

  it('lets each mode select only what it chooses; links follow their target', () => {
    const folder = { type: 'folder' as const };
    const file = { type: 'file' as const };
    const linkToFolder = { type: 'symlink' as const, targetType: 'folder' as const };
    const broken = { type: 'symlink' as const, targetType: 'missing' as const };
    expect([folder, file, linkToFolder, broken].map((entry) => selectable(entry, 'folder')))
      .toEqual([true, false, true, false]);
    expect([folder, file, linkToFolder, broken].map((entry) => selectable(entry, 'files')))
      .toEqual([false, true, false, false]);
    expect([folder, file, linkToFolder, broken].map((entry) => selectable(entry, 'any')))
      .toEqual([true, true, true, false]);
    expect(opensAsFolder(linkToFolder)).toBe(true);
    expect(entryKind({ ...broken, linkTarget: '/gone' })).toBe('Broken link → /gone');
  });

  it('refuses globs, quotes and relative paths before asking the engine', () => {
    expect(typedPathProblem('/srv/vms/*.vdi')).toMatch(/Wildcards/);
    expect(typedPathProblem('"/srv/vms"')).toMatch(/without quotes/);
    expect(typedPathProblem('vms/web')).toMatch(/full path/);
    expect(typedPathProblem('')).toMatch(/Type a path/);
    expect(typedPathProblem('/srv/vms')).toBeNull();
    expect(typedPathProblem('~/VirtualBox VMs')).toBeNull();
    expect(typedPathProblem('D:\\VMs')).toBeNull();
  });

  it('never lets a listing overwrite what the user typed', () => {
    const guard = typedPathGuard();
    // The first listing (the home folder) fills the field, unless the user typed before it came.
    expect(guard.listingMayReplace()).toBe(true);
    guard.edited();
    expect(guard.listingMayReplace()).toBe(false);
    // A typed path opened: its folder's listing keeps the typed text (a file path stays a file path).
    guard.navigatedFromTyped();
    expect(guard.listingMayReplace()).toBe(false);
    // A click (Up, a crumb, a folder): its listing shows its path...
    guard.navigatedByClick();
    expect(guard.listingMayReplace()).toBe(true);
    // ...unless the user types while it loads.
    guard.edited();
    expect(guard.listingMayReplace()).toBe(false);
    guard.navigatedByClick();
    expect(guard.listingMayReplace()).toBe(true);
    // Nor while the field has the focus (its text may be selected to be typed over): the
    // first listing arriving between a select-all and the typing made "/root" + "/tmp/x".
    guard.focused(true);
    expect(guard.listingMayReplace()).toBe(false);
    guard.focused(false);
    expect(guard.listingMayReplace()).toBe(true);
  });
});
