/**
 * The parent paths a differencing VHD records, in the order we try them:
 *   W2ru  UTF-16LE Windows path relative to the child ("..\base.vhd", ".\base.vhd")
 *   W2ku  UTF-16LE Windows absolute path ("C:\vms\base.vhd")
 *   MacX  UTF-8 file URL ("file://localhost/Users/me/base.vhd")
 *   Wi2r / Wi2k  deprecated single-byte relative / absolute paths
 *   the parent unicode name of the dynamic header (a bare file name) last.
 * "Mac " entries hold a binary alias record and are skipped.
 */
import type { ImageFile } from '../image-file.ts';
import { badImage } from '../image-error.ts';
import { decodeUtf16LE } from './vhd-layout.ts';
import type { VhdDynamicHeader, VhdParentLocator } from './vhd-layout.ts';

/** A locator longer than this is damage, not a path. */
const VHD_MAX_LOCATOR_BYTES = 64 * 1024;

const PLATFORM_ORDER = ['W2ru', 'W2ku', 'MacX', 'Wi2r', 'Wi2k'];

function decodeLocator(platform: string, data: Buffer): string {
  if (platform === 'W2ru' || platform === 'W2ku') return decodeUtf16LE(data);
  const text = platform === 'MacX' ? data.toString('utf8') : data.toString('latin1');
  const nul = text.indexOf('\u0000');
  return nul < 0 ? text : text.slice(0, nul);
}

async function readLocator(file: ImageFile, locator: VhdParentLocator): Promise<string> {
  const { dataOffset, dataLength, platform } = locator;
  if (dataLength > VHD_MAX_LOCATOR_BYTES) {
    throw badImage(file.path, `vhd.parent_locator[${platform}].data_length`, `${dataLength} bytes is too long for a path`);
  }
  const data = await file.readAt(dataOffset, dataLength, `vhd.parent_locator[${platform}] data`);
  return decodeLocator(platform, data);
}

export async function recordedVhdParentPaths(file: ImageFile, header: VhdDynamicHeader): Promise<string[]> {
  const paths: string[] = [];
  for (const platform of PLATFORM_ORDER) {
    for (const locator of header.locators) {
      if (locator.platform !== platform || locator.dataLength === 0) continue;
      const path = await readLocator(file, locator);
      if (path.length > 0) paths.push(path);
    }
  }
  if (header.parentName.length > 0) paths.push(header.parentName);
  return paths;
}
