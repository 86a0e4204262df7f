/**
 * What an encrypted blob is bound to: its kind and id, authenticated as part of the GCM
 * additional data (blob format version 2, see docs/FORMAT.md section 3). A sealed file
 * copied over another one (a job record over an item record, one chunk over another) then
 * fails authentication instead of being read as the other file.
 *
 * Every id used here is already checked against its pattern (hex ids, record ids, UUIDs,
 * point ids), none holds a "/", so the strings are unambiguous.
 */
export type BlobBinding = string & { readonly __blobBinding: true };

function binding(...parts: string[]): BlobBinding {
  return parts.join('/') as BlobBinding;
}

export const chunkBinding = (chunkId: string): BlobBinding => binding('chunk', chunkId);
export const indexBinding = (indexId: string): BlobBinding => binding('index', indexId);
export const manifestBinding = (itemId: string, pointId: string): BlobBinding => binding('manifest', itemId, pointId);
export const tombstoneBinding = (itemId: string, pointId: string): BlobBinding => binding('tombstone', itemId, pointId);
export const recordBinding = (kind: string, recordId: string): BlobBinding => binding('record', kind, recordId);
export const scheduleSlotBinding = (itemId: string): BlobBinding => binding('schedule-slot', itemId);
