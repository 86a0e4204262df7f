// labvault-<version>-linux-x64.tar.gz: the staged prefix under one top folder, owned by
// root, in a stable order (GNU tar).
import { spawnSync } from 'node:child_process';
import { basename, dirname } from 'node:path';

export function writeTarball(prefixDir, outFile) {
  const result = spawnSync('tar', ['--create', '--gzip', '--file', outFile, '--owner=0', '--group=0', '--numeric-owner',
    '--sort=name', '--directory', dirname(prefixDir), basename(prefixDir)], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tar failed (exit ${result.status ?? result.signal}) writing ${outFile}`);
}
