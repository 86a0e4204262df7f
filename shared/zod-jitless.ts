/**
 * zod, as every schema of Labvault uses it: without its JIT. zod 4 compiles a fast path for
 * each object schema (new Function) the first time it parses; a CLI command parses each schema
 * a handful of times and exits, so the compile was a net cost: 15-20 ms of every command's
 * main thread (CPU profile of an unchanged backup), and in the renderer eval is refused by
 * its content security policy anyway. Import z from here, never from 'zod' (eslint refuses
 * it): the setting must be made before any schema is built, and an object schema reads it
 * when it is built.
 */
import * as z from 'zod';

z.config({ jitless: true });

export { z };
