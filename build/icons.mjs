// Draws Labvault's icons at build time (no image files to download or commit): a vault
// door (ring, hub and bolt) on a rounded blue square for the app, and the same door alone
// for the tray. Writes PNGs with a tiny encoder (node:zlib deflate + CRC-32).
//   out/icons/icon.png            1024x1024 app icon (electron-builder makes .icns/.ico from it)
//   out/icons/tray.png, @2x       colour tray icon, Linux and Windows
//   out/icons/trayTemplate.png, @2x  black template image, macOS menu bar
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOR_TYPE_RGBA = 6;
const BIT_DEPTH = 8;
const FILTER_NONE = 0;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = BIT_DEPTH;
  header[9] = COLOR_TYPE_RGBA;
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    rows[y * (width * 4 + 1)] = FILTER_NONE;
    rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// Shapes as signed distances in a unit square (0..1): negative inside.
const roundedSquare = (x, y, half, radius) => {
  const qx = Math.abs(x - 0.5) - half + radius;
  const qy = Math.abs(y - 0.5) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
};
const circle = (x, y, r) => Math.hypot(x - 0.5, y - 0.5) - r;
const ring = (x, y, r, width) => Math.abs(circle(x, y, r)) - width / 2;
const bar = (x, y, halfLength, halfWidth) => roundedSquareAt(x, y, 0.5, 0.5, halfLength, halfWidth);
function roundedSquareAt(x, y, cx, cy, hx, hy) {
  const qx = Math.abs(x - cx) - hx;
  const qy = Math.abs(y - cy) - hy;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
}

/** The door: outer ring, hub, and a bolt across; signed distance (negative = ink). */
function door(x, y, scale) {
  return Math.min(ring(x, y, 0.3 * scale, 0.07 * scale), circle(x, y, 0.09 * scale), bar(x, y, 0.2 * scale, 0.03 * scale));
}

function coverage(distance, pixel) {
  return Math.min(1, Math.max(0, 0.5 - distance / pixel));
}

function draw(size, paint) {
  const rgba = Buffer.alloc(size * size * 4);
  const pixel = 1 / size;
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      const [r, g, b, a] = paint((px + 0.5) / size, (py + 0.5) / size, pixel);
      const at = (py * size + px) * 4;
      rgba[at] = r;
      rgba[at + 1] = g;
      rgba[at + 2] = b;
      rgba[at + 3] = Math.round(a * 255);
    }
  }
  return encodePng(size, size, rgba);
}

const BLUE_TOP = [0x2f, 0x6f, 0xeb];
const BLUE_BOTTOM = [0x1b, 0x3f, 0x9a];

export function appIcon(size) {
  return draw(size, (x, y, pixel) => {
    const tile = coverage(roundedSquare(x, y, 0.44, 0.1), pixel);
    if (tile === 0) return [0, 0, 0, 0];
    const ink = coverage(door(x, y, 1), pixel);
    const base = BLUE_TOP.map((top, i) => top + (BLUE_BOTTOM[i] - top) * y);
    const color = base.map((channel) => Math.round(channel * (1 - ink) + 255 * ink));
    return [...color, tile];
  });
}

export function trayIcon(size, template) {
  return draw(size, (x, y, pixel) => {
    const ink = coverage(door(x, y, 1.55), pixel);
    return template ? [0, 0, 0, ink] : [...BLUE_TOP, ink];
  });
}

export function writeIcons(outDir) {
  mkdirSync(outDir, { recursive: true });
  const files = {
    'icon.png': appIcon(1024),
    'tray.png': trayIcon(32, false),
    'tray@2x.png': trayIcon(64, false),
    'trayTemplate.png': trayIcon(16, true),
    'trayTemplate@2x.png': trayIcon(32, true),
  };
  for (const [name, png] of Object.entries(files)) writeFileSync(join(outDir, name), png);
  return Object.keys(files).map((name) => join(outDir, name));
}
