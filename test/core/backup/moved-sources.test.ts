import { describe, expect, it } from 'vitest';
import { planMovedSources, rebasePatterns } from '../../../core/backup/moved-sources.js';
import type { Snapshot } from '../../../core/destination/snapshot.js';

function base(sources: string[] | undefined): Snapshot {
  const t = new Date('2026-01-01T00:00:00Z');
  return {
    name: 'laptop-2026-01-01-000000',
    time: t,
    latestTime: t,
    generation: 1,
    sequenceTime: t,
    state: 'ok',
    problem: null,
    manifest: {
      format: 1,
      host: 'laptop',
      prefix: 'laptop',
      startedAt: t.toISOString(),
      endedAt: t.toISOString(),
      rsyncExitCode: 0,
      status: 'ok',
      files: 1,
      bytesSent: 1,
      appVersion: '0',
      ...(sources ? { sources } : {}),
    },
  };
}

describe('planMovedSources', () => {
  it('links a renamed source against the one that disappeared', () => {
    expect(
      planMovedSources(['/h/Pictures', '/h/Docs'], base(['/h/Photos', '/h/Docs']), []),
    ).toEqual({
      base: 'laptop-2026-01-01-000000',
      moved: [{ source: '/h/Pictures', linkedAgainst: ['/h/Photos'] }],
      inFull: [],
    });
  });

  it('leaves sources that overlap the recorded ones to the usual push', () => {
    const plan = planMovedSources(['/h/ann/Photos', '/h/'], base(['/h/ann']), []);
    expect(plan.moved).toEqual([]);
    expect(plan.inFull).toEqual([]);
  });

  it('follows the map, also into a source that stays', () => {
    const plan = planMovedSources(['/h/ann', '/disk/Archive'], base(['/h/ann']), [
      { from: '/h/ann/Photos/2019', to: '/disk/Archive' },
    ]);
    expect(plan.moved).toEqual([
      { source: '/disk/Archive', linkedAgainst: ['/h/ann/Photos/2019'] },
    ]);
  });

  it('names a source that nothing can be linked against, and why', () => {
    const plan = planMovedSources(['/h/ann', '/h/Music'], base(['/h/ann']), []);
    expect(plan.inFull).toEqual([
      { source: '/h/Music', why: expect.stringContaining('did not back it up (it holds /h/ann)') },
    ]);
  });

  it('plans nothing against a base that did not record its sources', () => {
    expect(planMovedSources(['/x'], base(undefined), [])).toEqual({
      base: null,
      moved: [],
      inFull: [],
    });
    expect(planMovedSources(['/x'], null, [])).toEqual({ base: null, moved: [], inFull: [] });
  });
});

describe('rebasePatterns', () => {
  it('makes anchored patterns inside the folder relative to it and drops the others', () => {
    expect(
      rebasePatterns(
        [
          '*.tmp',
          '/h/ann2/.cache/',
          '/h/*/Downloads',
          '/h/other/x',
          '/tmp/snaptray-*/',
          '/h/**/junk',
        ],
        '/h/ann2',
      ),
    ).toEqual(['*.tmp', '/.cache/', '/Downloads', '/**/junk', '/junk']);
  });

  it('says when a pattern leaves out the folder itself', () => {
    expect(rebasePatterns(['/h/ann2'], '/h/ann2')).toBeNull();
    expect(rebasePatterns(['/h/'], '/h/ann2')).toBeNull();
    expect(rebasePatterns(['/h/ann2/***'], '/h/ann2')).toBeNull();
  });
});
