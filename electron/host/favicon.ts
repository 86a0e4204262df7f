/**
 * Labvault's icon for browser tabs: the vault door of build/icons.mjs (ring, hub and bolt on a
 * rounded blue square) as SVG. The host serves it at /favicon.ico and /favicon.svg, so no load
 * logs a 404; renderer/index.html links the same picture as a data: URI (no request at all).
 */
export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
  + '<rect width="64" height="64" rx="14" fill="#2563eb"/>'
  + '<circle cx="32" cy="32" r="19" fill="none" stroke="#fff" stroke-width="6"/>'
  + '<circle cx="32" cy="32" r="6" fill="#fff"/>'
  + '<rect x="44" y="29" width="12" height="6" rx="2" fill="#fff"/></svg>';

export const FAVICON_PATHS: ReadonlySet<string> = new Set(['/favicon.ico', '/favicon.svg']);
