/**
 * The exclude preview against real rsync on a generated tree: what it says stays is what an
 * independent rsync dry run with the same patterns would send.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCLUDE_PRESETS } from '../../../core/backup/exclude-presets.js';
import {
  previewExcludes,
  unescapeRsync,
  escapeLikeRsync,
} from '../../../core/backup/exclude-preview.js';
import { spawnProcess } from '../../../core/process.js';
import { automaticExcludes } from '../../../core/backup/rsync-args.js';
import { rsyncDryRunTotals } from '../../support/rsync-dry-run.js';
import { HOSTILE_NAMES, makeTempDir, PWNED_MARKER, writeTree } from '../../support/tree.js';

let root: string;
let home: string;
let scratch: string;

function preset(id: string): string[] {
  const found = EXCLUDE_PRESETS.find((p) => p.id === id);
  if (!found) throw new Error(`no preset ${id}`);
  return found.patterns;
}

beforeAll(async () => {
  root = await makeTempDir('st-xp-');
  home = join(root, 'home', 'u');
  scratch = join(root, 'scratch');
  await writeTree(home, {
    '.cache/mozilla/firefox/big': Buffer.alloc(100_000, 1),
    '.cache/a/b/c': '0123456789',
    '.cache/x': 'xxxxx',
    'proj/node_modules/m/index.js': 'module.exports = 1;\n',
    'proj/node_modules/m/package.json': '{}',
    'proj/src/main.js': 'console.log(1);\n',
    'docs/report.md': '# report\n',
    '.local/share/Trash/files/old.md': 'gone',
    '.mozilla/firefox/abc.default/cache2/entries/E1': 'cache',
    '.mozilla/firefox/abc.default/places.sqlite': 'bookmarks',
    '.config/chromium/Default/Code Cache/js/c1': 'code',
    '.config/chromium/Default/Bookmarks': 'marks',
    'VirtualBox VMs/win/win.vdi': Buffer.alloc(3000, 2),
    'vm/disk.qcow2': Buffer.alloc(2000, 3),
    'Downloads/film.iso': Buffer.alloc(1000, 4),
    'state/snaptray/history.jsonl': '{}\n',
  });
  await writeTree(
    join(home, 'hostile'),
    HOSTILE_NAMES.map((name) => [name, 'h'] as const),
  );
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('previewExcludes', () => {
  it('shows what the caches and node_modules presets leave out, and what stays', async () => {
    const excludes = [...preset('caches'), ...preset('build-outputs'), '*.txt', 'no-such-thing/'];
    const result = await previewExcludes(
      spawnProcess,
      { sources: [home], excludes, automatic: [] },
      { scratchDir: scratch },
    );
    if (!result.ok) throw new Error(result.failure.message);
    const preview = result.value;

    expect({ files: preview.includedFiles, bytes: preview.includedBytes }).toEqual(
      await rsyncDryRunTotals([home], excludes),
    );
    // main.js, report.md, the trashed file, Firefox ×2, Chromium ×2, two images, the iso, the
    // history and `pwned)`.
    expect(preview.includedFiles).toBe(12);

    expect(preview.excluded.slice(0, 2)).toEqual([
      { path: join(home, '.cache'), kind: 'folder', bytes: 100_015, files: 3, pattern: '.cache/' },
      {
        path: join(home, 'proj/node_modules'),
        kind: 'folder',
        bytes: 22,
        files: 2,
        pattern: 'node_modules/',
      },
    ]);
    expect(preview.unmatched).toEqual([
      ...preset('build-outputs').filter((p) => p !== 'node_modules/'),
      'no-such-thing/',
    ]);
    expect(preview.truncated).toBe(false);

    // Hostile names come back literally (a name that is not UTF-8 as its replacement characters).
    const hostile = preview.excluded
      .filter((e) => e.pattern === '*.txt')
      .map((e) => e.path)
      .sort();
    expect(hostile).toEqual(
      [
        'with space.txt',
        "single 'quote'.txt",
        'double "quote".txt',
        '-n leading dash.txt',
        'new\nline.txt',
        '`touch /tmp/pwned`.txt',
        'f\uFFFD\uFFFD.txt',
      ]
        .map((n) => join(home, 'hostile', n))
        .sort(),
    );
    expect(preview.excluded.every((e) => e.pattern !== '*.txt' || e.files === 1)).toBe(true);
    expect(existsSync(PWNED_MARKER)).toBe(false);
    // The scratch folder holds nothing afterwards.
    expect(await readdir(scratch)).toEqual([]);
  });

  it('matches the other presets under the backup flags too', async () => {
    const excludes = [
      ...preset('trash'),
      ...preset('browser-caches'),
      ...preset('vm-images'),
      ...preset('downloads'),
    ];
    const result = await previewExcludes(
      spawnProcess,
      { sources: [home], excludes, automatic: [] },
      { scratchDir: scratch },
    );
    if (!result.ok) throw new Error(result.failure.message);
    const shown = result.value.excluded.map((e) => [e.path.slice(home.length + 1), e.pattern]);
    expect(shown.sort()).toEqual(
      [
        ['.cache/mozilla', '.cache/mozilla/'],
        ['.config/chromium/Default/Code Cache', '.config/chromium/*/Code Cache/'],
        ['.local/share/Trash', '.local/share/Trash/'],
        ['.mozilla/firefox/abc.default/cache2', '.mozilla/firefox/*/cache2/'],
        ['Downloads', 'Downloads/'],
        ['VirtualBox VMs', 'VirtualBox VMs/'],
        ['vm/disk.qcow2', '*.qcow2'],
      ].sort(),
    );
    expect({ files: result.value.includedFiles, bytes: result.value.includedBytes }).toEqual(
      await rsyncDryRunTotals([home], excludes),
    );
  });

  it('anchors the system folders at the real root', async () => {
    const result = await previewExcludes(
      spawnProcess,
      { sources: ['/dev'], excludes: preset('system'), automatic: [] },
      { scratchDir: scratch, limit: 100_000 },
    );
    if (!result.ok) throw new Error(result.failure.message);
    expect(result.value.excluded.length).toBeGreaterThan(0);
    expect(result.value.excluded.every((e) => e.path.startsWith('/dev/'))).toBe(true);
    expect(result.value.includedFiles).toBe(0);
    expect(result.value.unmatched).toEqual(preset('system').filter((p) => p !== '/dev/*'));
  });

  it("lists Snaptray's own folders under their automatic pattern, not as unmatched", async () => {
    const automatic = automaticExcludes([home], [join(home, 'state/snaptray')]);
    const result = await previewExcludes(
      spawnProcess,
      { sources: [home], excludes: [], automatic },
      { scratchDir: scratch },
    );
    if (!result.ok) throw new Error(result.failure.message);
    expect(result.value.excluded).toContainEqual({
      path: join(home, 'state/snaptray'),
      kind: 'folder',
      bytes: 3,
      files: 1,
      pattern: `${join(home, 'state/snaptray')}/`,
    });
    expect(result.value.unmatched).toEqual([]);
  });

  it('lists the biggest entries first up to the limit', async () => {
    const result = await previewExcludes(
      spawnProcess,
      { sources: [home], excludes: ['*.txt', '.cache/', '*.qcow2', '*.vdi'], automatic: [] },
      { scratchDir: scratch, limit: 3 },
    );
    if (!result.ok) throw new Error(result.failure.message);
    expect(result.value.truncated).toBe(true);
    expect(result.value.excluded.map((e) => [e.path.slice(home.length + 1), e.bytes])).toEqual([
      ['.cache', 100_015],
      ['VirtualBox VMs/win/win.vdi', 3000],
      ['vm/disk.qcow2', 2000],
    ]);
  });

  it('names a source that does not exist', async () => {
    const missing = join(root, 'not here');
    const result = await previewExcludes(
      spawnProcess,
      { sources: [home, missing], excludes: [], automatic: [] },
      { scratchDir: scratch },
    );
    expect(result).toEqual({
      ok: false,
      failure: {
        kind: 'source-missing',
        message: `The source ${missing} does not exist or cannot be read. Remove it, or check that its disk is mounted.`,
      },
    });
  });

  it('stops rsync when cancelled', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const result = await previewExcludes(
      (req) => {
        started.push(req.file);
        const running = spawnProcess(req);
        controller.abort();
        return running;
      },
      { sources: ['/usr'], excludes: ['.cache/'], automatic: [] },
      { scratchDir: scratch, signal: controller.signal },
    );
    expect(started).toEqual(['rsync']);
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'killed', message: 'The preview was stopped.' },
    });
    expect(await readdir(scratch)).toEqual([]);
  });
});

describe('rsync name escaping', () => {
  it('reads back every byte', () => {
    const bytes = Buffer.from([0x61, 0x0a, 0x5c, 0x23, 0x30, 0xff, 0x20, 0x7e]);
    expect(escapeLikeRsync(bytes)).toBe('a\\#012\\#134#0\\#377 ~');
    expect(unescapeRsync(escapeLikeRsync(bytes))).toEqual(bytes);
  });
});
