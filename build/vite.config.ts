/**
 * Builds the renderer (renderer/) into out/renderer with relative asset paths, so the same
 * files load from file:// in Electron and from the browser host (`labvault ui`).
 * No inline scripts: the Content-Security-Policy allows only 'self' scripts.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('../renderer/', import.meta.url));
const outDir = fileURLToPath(new URL('../out/renderer/', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  server: { strictPort: false },
});
