/** Public surface of the vault store. */
export { VaultStore } from './vault-store.ts';
export type { VaultStoreOptions } from './vault-store.ts';
export { createEncryption, unlock, changePassphrase, bindSettingsToWrap, DEFAULT_KDF_PARAMS } from './vault-keys.ts';
export type { VaultKeys, KdfParams } from './vault-keys.ts';
export { defaultStoreSettings, validateStoreSettings, DEFAULT_CHUNK_SIZE } from './store-settings.ts';
export type { StoreSettings, EncryptionSettings, CompressionSetting } from './store-settings.ts';
export type { BackupFileOptions, BackupFileResult, TransferProgress } from './backup-file.ts';
export type { RestoreFileOptions, RestoreFileResult, RestoredAttributes } from './restore-file.ts';
export { FixedIndex } from './fixed-index.ts';
export type { Manifest, ManifestFile, ManifestInput, FileRole } from './manifest.ts';
export type { ManifestRef, ManifestState } from './manifest-store.ts';
export type { VerifyReport, VerifyProblem, VerifyProblemKind, VerifyOptions, AffectedPoint } from './verify-store.ts';
export type { GcOptions, GcResult } from './gc-store.ts';
export type { StoreStats, PointStats, ItemStats } from './store-stats.ts';
export type { HeldLock, LockInfo } from './vault-lock.ts';
export { recordBinding, scheduleSlotBinding } from './blob-binding.ts';
export type { BlobBinding } from './blob-binding.ts';
export { ZERO_CHUNK_HEX, ZERO_CHUNK_ID, contentDigest } from './chunk-id.ts';
