/**
 * VHDX log replay. Placeholder until in-memory replay lands: a dirty log is refused.
 */
import type { ImageFile } from '../image-file.ts';
import { unsupportedImage } from '../image-error.ts';
import type { PositionedReader } from '../vhd/table-pages.ts';
import type { VhdxHeader } from './vhdx-layout.ts';

export async function replayLogInMemory(file: ImageFile, _header: VhdxHeader): Promise<PositionedReader> {
  throw unsupportedImage(file.path, 'vhdx.header.log_guid', 'the image has a log that was never replayed (it was not closed cleanly): open it once with Hyper-V or qemu to replay its log, then try again');
}
