/** The committed icons: what make-icons draws, and readable on light and dark panels at 22 px. */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/tree.js';
import { readPng, type Image } from './png.js';

const ROOT = join(import.meta.dirname, '..', '..');
const STATES = ['idle', 'running', 'paused', 'error', 'overdue'] as const;
const PANELS = {
  // Light and dark ends of common panel colours (GNOME, KDE, XFCE themes).
  light: [
    [0xff, 0xff, 0xff],
    [0xd8, 0xd8, 0xd8],
  ],
  dark: [
    [0x00, 0x00, 0x00],
    [0x3a, 0x3a, 0x3a],
  ],
} as const;

async function pngFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.png'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

async function icon(path: string): Promise<Image> {
  return readPng(await readFile(join(ROOT, path)));
}

function luminance(rgb: readonly number[]): number {
  const [r = 0, g = 0, b = 0] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast of each mostly opaque pixel against the panel colour: the lowest one. */
function lowestContrast(image: Image, panel: readonly number[]): number {
  const background = luminance(panel);
  let lowest = Infinity;
  for (let i = 0; i < image.rgba.length; i += 4) {
    if ((image.rgba[i + 3] ?? 0) < 192) continue;
    const l = luminance([...image.rgba.subarray(i, i + 3)]);
    lowest = Math.min(lowest, (Math.max(l, background) + 0.05) / (Math.min(l, background) + 0.05));
  }
  return lowest;
}

function coverage(image: Image): number {
  let sum = 0;
  for (let i = 3; i < image.rgba.length; i += 4) sum += image.rgba[i] ?? 0;
  return sum / 255 / (image.width * image.height);
}

/** Pixels where one icon is clearly drawn and the other clearly not: shape, not colour. */
function shapeDifference(a: Image, b: Image): number {
  let count = 0;
  for (let i = 3; i < a.rgba.length; i += 4) {
    if (Math.abs((a.rgba[i] ?? 0) - (b.rgba[i] ?? 0)) > 128) count++;
  }
  return count;
}

describe('icons', () => {
  it('are exactly what scripts/make-icons.mjs draws, with no stale files', async () => {
    const out = await makeTempDir('st-icons-');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-icons.mjs'), out]);
    const drawn = [
      ...(await pngFilesUnder(join(out, 'assets'))),
      ...(await pngFilesUnder(join(out, 'build'))),
    ].map((p) => relative(relative(ROOT, out), p));
    const committed = [
      ...(await pngFilesUnder(join(ROOT, 'assets'))),
      ...(await pngFilesUnder(join(ROOT, 'build'))),
    ];
    expect(committed).toEqual(drawn);
    for (const path of drawn) {
      expect(await readFile(join(out, path)), path).toEqual(await readFile(join(ROOT, path)));
    }
  });

  it('has every tray icon at 22 px and 44 px (@2x), and the app icons at their sizes', async () => {
    for (const state of STATES) {
      for (const panel of ['light', 'dark']) {
        const base = `assets/tray-${state}-${panel}`;
        expect((await icon(`${base}.png`)).width).toBe(22);
        expect((await icon(`${base}@2x.png`)).height).toBe(44);
      }
    }
    expect((await icon('assets/snaptray.png')).width).toBe(256);
    expect((await icon('build/icon.png')).width).toBe(512);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      const image = await icon(`build/icons/${size}x${size}.png`);
      expect([image.width, image.height]).toEqual([size, size]);
    }
  });

  it('reads at 22 px: solid enough, contrasting with its panel, and a shape of its own', async () => {
    for (const panel of ['light', 'dark'] as const) {
      const images = new Map<string, Image>();
      for (const state of STATES) {
        const image = await icon(`assets/tray-${state}-${panel}.png`);
        images.set(state, image);
        expect(coverage(image), `${state}-${panel}`).toBeGreaterThan(0.12);
        expect(coverage(image), `${state}-${panel}`).toBeLessThan(0.6);
        for (const background of PANELS[panel]) {
          expect(lowestContrast(image, background), `${state}-${panel}`).toBeGreaterThanOrEqual(3);
        }
      }
      for (const a of STATES) {
        for (const b of STATES) {
          if (a < b) {
            const difference = shapeDifference(images.get(a)!, images.get(b)!);
            expect(difference, `${a} vs ${b} (${panel})`).toBeGreaterThanOrEqual(8);
          }
        }
      }
    }
  });
});
