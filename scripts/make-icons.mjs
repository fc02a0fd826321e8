// Draws Snaptray's tray and app icons as PNG files with plain Node (no browser, no image library),
// so the same script gives the same bytes on any machine:
//   node scripts/make-icons.mjs [ROOT]      writes ROOT/assets/*.png and ROOT/build/**.png
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const TRAY_STATES = ['idle', 'running', 'paused', 'error', 'overdue'];
export const PANELS = ['light', 'dark'];
export const TRAY_SIZE = 22;
export const APP_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

/** Glyph colours by panel: a dark glyph on a light panel, a light glyph on a dark one. */
const INK = {
  light: { fg: [0x24, 0x24, 0x24], error: [0xc0, 0x1c, 0x28], warn: [0xa8, 0x57, 0x00] },
  dark: { fg: [0xf2, 0xf2, 0xf2], error: [0xff, 0x5f, 0x57], warn: [0xff, 0xb0, 0x20] },
};

// Shapes live on a 22-unit grid (the tray size) and are scaled to the output size.
const C = 11;
const RING = { r: 8, w: 2 };

function ring(color, r = RING.r, w = RING.w) {
  return { kind: 'ring', cx: C, cy: C, r, w, color };
}

function arc(color, from, to, r = RING.r, w = RING.w) {
  return { kind: 'arc', cx: C, cy: C, r, w, from, to, color };
}

function line(color, x1, y1, x2, y2, w) {
  return { kind: 'line', x1, y1, x2, y2, w, color };
}

function disc(color, cx, cy, r) {
  return { kind: 'disc', cx, cy, r, color };
}

function roundRect(color, x, y, w, h, radius) {
  return { kind: 'rrect', x, y, w, h, radius, color };
}

function triangle(color, points) {
  return { kind: 'tri', points, color };
}

function clockHands(color) {
  return [line(color, C, C, C, 6.5, 2), line(color, C, C, 14.2, 12.8, 2)];
}

/** A point on the ring at `deg` degrees clockwise from 12 o'clock. */
function onRing(deg, r = RING.r) {
  const a = (deg * Math.PI) / 180;
  return [C + r * Math.sin(a), C - r * Math.cos(a)];
}

/** An arrowhead on a ring of radius r at `deg`, pointing clockwise. */
function arrowHead(color, deg, size, r = RING.r) {
  const a = (deg * Math.PI) / 180;
  const [tx, ty] = [Math.cos(a), Math.sin(a)]; // clockwise tangent
  const [nx, ny] = [Math.sin(a), -Math.cos(a)]; // outward normal
  const [px, py] = onRing(deg, r);
  return triangle(color, [
    [px + nx * size, py + ny * size],
    [px - nx * size, py - ny * size],
    [px + tx * size * 1.2, py + ty * size * 1.2],
  ]);
}

/** The shapes of one tray icon, painted in order; `clear` erases what is under it. */
export function trayShapes(state, panel) {
  const ink = INK[panel];
  switch (state) {
    case 'idle':
      return [ring(ink.fg), ...clockHands(ink.fg)];
    case 'running':
      // A circular arrow (a run in progress) around a centre dot.
      return [arc(ink.fg, 40, 325), arrowHead(ink.fg, 325, 3.1), disc(ink.fg, C, C, 2.2)];
    case 'paused':
      return [
        ring(ink.fg),
        roundRect(ink.fg, 7.5, 6.5, 2.6, 9, 0.6),
        roundRect(ink.fg, 11.9, 6.5, 2.6, 9, 0.6),
      ];
    case 'error':
      return [
        ring(ink.error),
        line(ink.error, C, 6.2, C, 11.8, 2.4),
        disc(ink.error, C, 15.2, 1.45),
      ];
    case 'overdue':
      // The idle clock with a warning-coloured dot cut into its corner.
      return [
        ring(ink.fg),
        ...clockHands(ink.fg),
        { ...disc(null, 17, 17, 5.6), kind: 'clear' },
        disc(ink.warn, 17, 17, 4.2),
      ];
    default:
      throw new Error(`unknown tray state ${state}`);
  }
}

/** The app icon: a white clock with a circular arrow on a blue rounded square. */
export function appShapes() {
  const white = [0xff, 0xff, 0xff];
  return [
    roundRect([0x1f, 0x6f, 0xd6], 1, 1, 20, 20, 4.6),
    arc(white, 40, 330, 6.6, 1.7),
    arrowHead(white, 330, 2.9, 6.6),
    line(white, C, C, C, 7, 1.6),
    line(white, C, C, 13.6, 12.5, 1.6),
    disc(white, C, C, 1.2),
  ];
}

function insideShape(s, x, y) {
  switch (s.kind) {
    case 'ring': {
      const d = Math.hypot(x - s.cx, y - s.cy);
      return Math.abs(d - s.r) <= s.w / 2;
    }
    case 'arc': {
      const d = Math.hypot(x - s.cx, y - s.cy);
      if (Math.abs(d - s.r) > s.w / 2) {
        return false;
      }
      let deg = (Math.atan2(x - s.cx, -(y - s.cy)) * 180) / Math.PI;
      if (deg < 0) deg += 360;
      return deg >= s.from && deg <= s.to;
    }
    case 'line': {
      const [dx, dy] = [s.x2 - s.x1, s.y2 - s.y1];
      const t = Math.max(0, Math.min(1, ((x - s.x1) * dx + (y - s.y1) * dy) / (dx * dx + dy * dy)));
      return Math.hypot(x - (s.x1 + t * dx), y - (s.y1 + t * dy)) <= s.w / 2;
    }
    case 'disc':
    case 'clear':
      return Math.hypot(x - s.cx, y - s.cy) <= s.r;
    case 'rrect': {
      const qx = Math.max(Math.abs(x - (s.x + s.w / 2)) - (s.w / 2 - s.radius), 0);
      const qy = Math.max(Math.abs(y - (s.y + s.h / 2)) - (s.h / 2 - s.radius), 0);
      return Math.hypot(qx, qy) <= s.radius;
    }
    case 'tri': {
      const [[ax, ay], [bx, by], [cx, cy]] = s.points;
      const d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
      const d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
      const d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
      const neg = d1 < 0 || d2 < 0 || d3 < 0;
      const pos = d1 > 0 || d2 > 0 || d3 > 0;
      return !(neg && pos);
    }
    default:
      throw new Error(`unknown shape ${s.kind}`);
  }
}

/** Paints shapes into size×size RGBA pixels, several samples a pixel for smooth edges. */
export function rasterize(shapes, size) {
  // Small icons need fine edges; large ones have pixels to spare (and would take long).
  const SS = size <= 64 ? 8 : 3;
  const scale = 22 / size;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) * scale;
          const y = (py + (sy + 0.5) / SS) * scale;
          let color = null;
          for (const s of shapes) {
            if (insideShape(s, x, y)) color = s.kind === 'clear' ? null : s.color;
          }
          if (color) {
            r += color[0];
            g += color[1];
            b += color[2];
            a += 1;
          }
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        rgba[i] = Math.round(r / a);
        rgba[i + 1] = Math.round(g / a);
        rgba[i + 2] = Math.round(b / a);
        rgba[i + 3] = Math.round((a / (SS * SS)) * 255);
      }
    }
  }
  return rgba;
}

function crc32(bytes) {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG file (8-bit RGBA, no filters) of width×height pixels. */
export function encodePng(rgba, width, height = width) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const stride = width * 4;
  const rows = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    rgba.copy(rows, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function appIcon(size) {
  return encodePng(rasterize(appShapes(), size), size);
}

/** Every icon file as [path relative to the repository, PNG bytes]. */
export function allIcons() {
  const files = [];
  for (const state of TRAY_STATES) {
    for (const panel of PANELS) {
      const shapes = trayShapes(state, panel);
      // Electron picks name@2x.png by itself on HiDPI panels.
      files.push([`assets/tray-${state}-${panel}.png`, encodePng(rasterize(shapes, 22), 22)]);
      files.push([`assets/tray-${state}-${panel}@2x.png`, encodePng(rasterize(shapes, 44), 44)]);
    }
  }
  const appIcons = new Map(APP_ICON_SIZES.map((size) => [size, appIcon(size)]));
  files.push(['assets/snaptray.png', appIcons.get(256)]);
  files.push(['build/icon.png', appIcons.get(512)]);
  for (const [size, bytes] of appIcons) {
    files.push([`build/icons/${size}x${size}.png`, bytes]);
  }
  return files;
}

async function writeIcons(root) {
  for (const [path, bytes] of allIcons()) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), bytes);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeIcons(resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..')));
}
