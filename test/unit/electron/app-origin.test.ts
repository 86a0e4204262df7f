/** The app:// origin, the renderer file lookup behind the app protocol, and permissions (pure). */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, APP_ORIGIN, isAppUrl } from '../../../electron/desktop/app-origin.ts';
import { isPermissionGranted } from '../../../electron/desktop/permission-policy.ts';
import { DESKTOP_CONTENT_SECURITY_POLICY, lookupRendererFile } from '../../../electron/desktop/renderer-files.ts';

const ROOT = resolve('/app/out/renderer');

describe('isAppUrl', () => {
  it('accepts our own pages only', () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl(`${APP_ORIGIN}/vaults/new?x=1#top`)).toBe(true);
    for (const url of [
      'file:///app/out/renderer/index.html',
      'http://labvault/index.html',
      'https://labvault/index.html',
      'app://labvault.evil.example/index.html',
      'app://evil/index.html',
      'app://user:pw@labvault/index.html',
      'app://labvault:8080/index.html',
      'devtools://devtools/bundled/inspector.html',
      'about:blank',
      'not a url',
      '',
      undefined,
      null,
    ]) {
      expect(isAppUrl(url), String(url)).toBe(false);
    }
  });
});

describe('lookupRendererFile', () => {
  it('serves files under the renderer folder with their content type', () => {
    expect(lookupRendererFile(ROOT, `${APP_ORIGIN}/assets/index-abc.js`)).toEqual({ kind: 'file', path: join(ROOT, 'assets', 'index-abc.js'), contentType: 'text/javascript; charset=utf-8', fallback: false });
    expect(lookupRendererFile(ROOT, `${APP_ORIGIN}/assets/main.css?v=2`)).toMatchObject({ kind: 'file', path: join(ROOT, 'assets', 'main.css') });
  });

  it('answers routes of the single-page app with index.html', () => {
    expect(lookupRendererFile(ROOT, `${APP_ORIGIN}/`)).toMatchObject({ kind: 'file', path: join(ROOT, 'index.html'), fallback: false });
    expect(lookupRendererFile(ROOT, `${APP_ORIGIN}/vaults/lab-1`)).toMatchObject({ kind: 'file', path: join(ROOT, 'index.html'), fallback: true });
  });

  it('refuses anything outside the renderer folder, however it is spelled', () => {
    for (const path of ['/../main/main.js', '/%2e%2e/main/main.js', '/assets/%2E%2E/%2E%2E/package.json', '/..%2f..%2fpackage.json', '/%2e%2e%5c..%5cpackage.json', '/assets/%00.js', '/%E0%A4%A.js']) {
      const lookup = lookupRendererFile(ROOT, `${APP_ORIGIN}${path}`);
      const escaped = lookup.kind === 'file' && !lookup.path.startsWith(`${ROOT}/`);
      expect(escaped, path).toBe(false);
      if (lookup.kind === 'file') expect(lookup.path.startsWith(`${ROOT}/`), path).toBe(true);
    }
    expect(lookupRendererFile(ROOT, 'file:///etc/passwd')).toMatchObject({ kind: 'refused', status: 403 });
    expect(lookupRendererFile(ROOT, 'app://other/index.html')).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('has a Content-Security-Policy that allows only our own scripts and no plugins or frames', () => {
    expect(DESKTOP_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(DESKTOP_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(DESKTOP_CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(DESKTOP_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(DESKTOP_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });
});

describe('isPermissionGranted', () => {
  it('grants notifications to our pages and nothing else to anyone', () => {
    expect(isPermissionGranted('notifications', APP_ENTRY_URL)).toBe(true);
    expect(isPermissionGranted('notifications', 'https://example.com/')).toBe(false);
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb', 'fileSystem', 'unknown']) {
      expect(isPermissionGranted(permission, APP_ENTRY_URL), permission).toBe(false);
    }
  });
});
