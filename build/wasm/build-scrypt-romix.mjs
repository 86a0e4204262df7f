/**
 * `node build/wasm/build-scrypt-romix.mjs`: writes electron/engine/vault/store/scrypt-romix-wasm.ts,
 * the assembled bytes of build/wasm/scrypt-romix-wat.mjs as base64. Run after changing the WAT;
 * a unit test fails while the two disagree.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleScryptRomix } from './scrypt-romix-wat.mjs';

export const SCRYPT_ROMIX_MODULE_PATH = fileURLToPath(new URL('../../electron/engine/vault/store/scrypt-romix-wasm.ts', import.meta.url));

export function scryptRomixModuleText(bytes) {
  const base64 = bytes.toString('base64');
  const lines = base64.match(/.{1,100}/g) ?? [];
  return `/**
 * scrypt's ROMix in WebAssembly (128-bit SIMD, bulk memory): made by build/wasm/build-scrypt-romix.mjs
 * from build/wasm/scrypt-romix-wat.mjs. Do not edit; run that script after changing the WAT.
 */
export const SCRYPT_ROMIX_WASM_BASE64 = ${lines.map((line) => `'${line}'`).join('\n  + ')};
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await assembleScryptRomix();
  writeFileSync(SCRYPT_ROMIX_MODULE_PATH, scryptRomixModuleText(bytes));
  console.log(`${SCRYPT_ROMIX_MODULE_PATH}: ${bytes.length} bytes of WebAssembly`);
}
