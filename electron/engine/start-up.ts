/**
 * The engine's second public entry, for what a face runs before it loads the engine (index.ts,
 * which brings every schema and the catalog's native module): kept small on purpose.
 */
export { resolveAppHome } from './app/app-home.ts';
export { startEarlyKeyDerivation } from './vault/early-key-derivation.ts';
