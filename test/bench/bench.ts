/**
 * `npm run bench [-- images | vault] [options]`: benchmarks, not tests. With no name it
 * runs the vault bench (Labvault vs restic and borg on the same 4 GiB disk); `images`
 * runs the disk image export bench (vs qemu-img convert); `--profile` (or `profile`) the
 * per-stage profile of a full and an incremental backup beside this machine's ceilings;
 * `catalog` the catalog-scale bench (1,000 points of one 16 GiB item: points list, prune, GC);
 * `guest` the guest files bench (cold listing and first file out of a point of a 50 GiB ext4 disk);
 * `unchanged` where the time of an unchanged backup goes, end to end (cold and warm).
 * Options pass through.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches: Record<string, string> = {
  vault: 'vault-bench.ts',
  images: 'images-bench.ts',
  profile: 'profile-bench.ts',
  catalog: 'catalog-scale-bench.ts',
  guest: 'guest-files-bench.ts',
  unchanged: 'unchanged-bench.ts',
};

const [first, ...rest] = process.argv.slice(2);
const name = first !== undefined && !first.startsWith('-') ? first
  : process.argv.includes('--profile') ? 'profile' : 'vault';
const args = first !== undefined && !first.startsWith('-') ? rest : process.argv.slice(2);
const script = benches[name];
if (!script) {
  console.error(`Unknown bench "${name}". Benches: ${Object.keys(benches).join(', ')}.`);
  process.exit(2);
}
const result = spawnSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
