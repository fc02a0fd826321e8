/** Run logs in words, read from a log a real backup wrote (test/fixtures/run-logs/). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLogLine, readRunLog } from '../../../core/state/run-log.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'run-logs');

describe('readLogLine', () => {
  it('says what each itemized change was', () => {
    expect(
      [
        '>f+++++++++ /tmp/lg/src/sub/n.txt',
        '>f.st...... /tmp/lg/src/a.txt',
        'cd+++++++++ /tmp/lg/src/',
        'cd..t...... /tmp/lg/src/sub/',
        'cL+++++++++ link -> keep',
        'hf+++++++++ b.txt => a.txt',
        '*deleting   gone',
        '>f..tp..... odd name -> not a link.txt',
      ].map(readLogLine),
    ).toEqual([
      { kind: 'new', path: '/tmp/lg/src/sub/n.txt', text: 'new file' },
      { kind: 'changed', path: '/tmp/lg/src/a.txt', text: 'changed file (size, time)' },
      { kind: 'new-folder', path: '/tmp/lg/src', text: 'new folder' },
      { kind: 'folder-changed', path: '/tmp/lg/src/sub', text: 'folder changed (time)' },
      { kind: 'new', path: 'link', text: 'new link' },
      {
        kind: 'new',
        path: 'b.txt',
        text: 'new file (a hard link to another file of the snapshot)',
      },
      { kind: 'deleted', path: 'gone', text: 'deleted' },
      {
        kind: 'changed',
        path: 'odd name -> not a link.txt',
        text: 'changed file (time, permissions)',
      },
    ]);
  });

  it('keeps messages, notes and statistics as they are', () => {
    expect(
      readLogLine('! rsync: [sender] send_files failed to open "/x": Permission denied (13)'),
    ).toEqual({
      kind: 'message',
      path: null,
      text: 'rsync: [sender] send_files failed to open "/x": Permission denied (13)',
    });
    expect(readLogLine('# 2026-11-29T08:21:43.583Z rsync exit 0').kind).toBe('note');
    expect(readLogLine('created directory /tmp/lg/dest/t-2026-11-29-082143').kind).toBe('note');
    expect(readLogLine('Number of files: 6 (reg: 2, dir: 4)').kind).toBe('statistics');
  });
});

describe('readRunLog', () => {
  it('reads a whole log with counts, and only the lines that match a search', async () => {
    const log = join(FIXTURES, 'changes.log');
    const all = await readRunLog(log, { query: '', limit: 1000 });
    expect(all.total).toBe(21);
    expect(all.counts).toEqual({
      note: 3,
      changed: 1,
      'folder-changed': 1,
      new: 1,
      statistics: 15,
    });
    expect(all.lines.filter((l) => l.path !== null)).toEqual([
      { kind: 'changed', path: '/tmp/lg/src/a.txt', text: 'changed file (size, time)' },
      { kind: 'folder-changed', path: '/tmp/lg/src/sub', text: 'folder changed (time)' },
      { kind: 'new', path: '/tmp/lg/src/sub/n.txt', text: 'new file' },
    ]);

    const found = await readRunLog(log, { query: 'N.TXT', limit: 1000 });
    expect(found.lines).toEqual([{ kind: 'new', path: '/tmp/lg/src/sub/n.txt', text: 'new file' }]);
    expect(found).toMatchObject({ matched: 1, total: 21, truncated: false });

    const first = await readRunLog(log, { query: '', limit: 2 });
    expect(first.lines).toHaveLength(2);
    expect(first).toMatchObject({ matched: 21, truncated: true });
  });
});
