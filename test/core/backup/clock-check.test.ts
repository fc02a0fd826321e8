import { describe, expect, it } from 'vitest';
import {
  clockSuspicions,
  destinationClockSuspicion,
  readBootClock,
  span,
  suspectClockWarning,
} from '../../../core/backup/clock-check.js';
import type { Manifest, Snapshot, SnapshotState } from '../../../core/destination/snapshot.js';
import { notificationText } from '../../../core/notification-text.js';

const T0 = new Date(2026, 10, 20, 10, 0, 0);
const MIN = 60_000;
const NO_BOOT = { bootId: null, uptimeSeconds: null };

function snap(
  name: string,
  time: Date,
  state: SnapshotState = 'ok',
  boot: { bootId?: string; uptimeSeconds?: number } = {},
): Snapshot {
  const manifest: Manifest | null =
    state === 'ok'
      ? {
          format: 1,
          host: 'box',
          prefix: 'p',
          startedAt: time.toISOString(),
          endedAt: time.toISOString(),
          rsyncExitCode: 0,
          status: 'ok',
          files: 1,
          bytesSent: 1,
          appVersion: '0.1.0',
          ...boot,
        }
      : null;
  return {
    name,
    time,
    latestTime: time,
    generation: null,
    sequenceTime: time,
    state,
    manifest,
    problem: null,
  };
}

function later(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

describe('clockSuspicions', () => {
  it('finds nothing on a prefix without snapshots, or when the clock goes on as it should', () => {
    expect(clockSuspicions([], T0, NO_BOOT)).toEqual([]);
    const boot = { bootId: 'b1', uptimeSeconds: 1000 };
    const s = [snap('p-1', T0, 'ok', boot)];
    expect(
      clockSuspicions(s, later(60 * MIN), { bootId: 'b1', uptimeSeconds: 1000 + 3600 }),
    ).toEqual([]);
  });

  it('suspects a run dated before the newest snapshot of the sequence, beyond a few minutes', () => {
    const s = [snap('p-1', T0), snap('p-2', later(10 * MIN))];
    expect(clockSuspicions(s, later(6 * MIN), NO_BOOT)).toEqual([]);
    const [reason] = clockSuspicions(s, later(-20 * 86_400_000), NO_BOOT);
    expect(reason).toBe(
      "this computer's clock says 2026-10-31 10:00, earlier than the newest snapshot p-2 " +
        '(dated 2026-11-20 10:10): this clock is behind, or the clock of the run that made that ' +
        'snapshot was ahead',
    );
  });

  it('goes by the newest in the sequence, not an unfinished folder dated later', () => {
    const s = [snap('p-1', T0), snap('p-2', later(86_400_000), 'unfinished')];
    expect(clockSuspicions(s, later(MIN), NO_BOOT)).toEqual([]);
  });

  it('within one boot, suspects a clock that ran away from the uptime, either way', () => {
    const s = [snap('p-1', T0, 'ok', { bootId: 'b1', uptimeSeconds: 500 })];
    const ahead = clockSuspicions(s, later(3 * 86_400_000), { bootId: 'b1', uptimeSeconds: 800 });
    expect(ahead).toEqual([
      'this computer has run for 5 minutes without a restart since snapshot p-1, yet its ' +
        'clock moved 3 days forward: it was put forward by about 3 days',
    ]);
    // Put back three hours, 10 minutes after the snapshot: dated after it still, but suspect.
    const back = clockSuspicions(
      [snap('p-1', T0, 'ok', { bootId: 'b1', uptimeSeconds: 500 })],
      later(-170 * MIN),
      { bootId: 'b1', uptimeSeconds: 1100 },
    );
    expect(back).toHaveLength(2);
    expect(back[1]).toMatch(/clock moved 3 hours back: it was put back by about 3 hours$/);
    // Less than five minutes apart is NTP's business, not a wrong clock.
    expect(
      clockSuspicions(s, later(9 * MIN), { bootId: 'b1', uptimeSeconds: 500 + 5 * 60 }),
    ).toEqual([]);
  });

  it('compares the uptime only within the same boot, with the newest snapshot of that boot', () => {
    const s = [
      snap('p-1', T0, 'ok', { bootId: 'b1', uptimeSeconds: 500 }),
      snap('p-2', later(60 * MIN), 'ok', { bootId: 'b0', uptimeSeconds: 10 }),
    ];
    expect(clockSuspicions(s, later(2 * 86_400_000), { bootId: 'b2', uptimeSeconds: 20 })).toEqual(
      [],
    );
    const sameAsFirst = clockSuspicions(s, later(70 * MIN), {
      bootId: 'b1',
      uptimeSeconds: 500 + 70 * 60,
    });
    expect(sameAsFirst).toEqual([]);
  });
});

describe('runs whose clock looked wrong', () => {
  it('are not what a later run judges its clock by', () => {
    const suspect = snap('p-2', later(3 * 86_400_000), 'ok', { bootId: 'b1', uptimeSeconds: 560 });
    suspect.manifest!.clockSuspect = true;
    const s = [snap('p-1', T0, 'ok', { bootId: 'b1', uptimeSeconds: 500 }), suspect];
    // Still three days ahead a minute later: judged by p-1, not by the suspect p-2.
    const still = clockSuspicions(s, later(3 * 86_400_000 + 2 * MIN), {
      bootId: 'b1',
      uptimeSeconds: 620,
    });
    expect(still.join(' ')).toMatch(/since snapshot p-1, yet its clock moved 3 days forward/);
    // Set right again: earlier than p-2, but p-2 does not count.
    expect(clockSuspicions(s, later(2 * MIN), { bootId: 'b1', uptimeSeconds: 620 })).toEqual([]);
    expect(destinationClockSuspicion(s, later(3 * 86_400_000), later(3 * MIN))).toMatch(
      /3 days behind/,
    );
  });
});

describe('destinationClockSuspicion', () => {
  const before = [snap('p-1', T0)];

  it('says nothing when the clocks agree within an hour', () => {
    expect(destinationClockSuspicion(before, later(MIN), later(50 * MIN))).toBeNull();
  });

  it('names the destination’s clock when it disagrees and agrees with the snapshots there', () => {
    expect(destinationClockSuspicion(before, later(3 * 86_400_000), later(MIN))).toBe(
      "the destination's clock says 2026-11-20 10:01, 3 days behind this computer's " +
        '(2026-11-23 10:00)',
    );
    expect(destinationClockSuspicion(before, later(MIN), later(2 * 86_400_000))).toMatch(
      /2 days ahead of this computer's/,
    );
  });

  it('ignores a destination clock that is behind the snapshots it holds (no real-time clock)', () => {
    expect(destinationClockSuspicion(before, later(MIN), new Date(2000, 0, 1))).toBeNull();
    expect(destinationClockSuspicion([], later(3 * 86_400_000), later(MIN))).toBeNull();
  });
});

describe('in words', () => {
  it('the warning names each reason and what was not done', () => {
    expect(suspectClockWarning(['a', 'b'])).toBe(
      "This computer's clock looks wrong, so the backup was made but nothing was deleted " +
        'automatically: a; and b. Old snapshots stay until a backup runs with a clock that ' +
        'agrees. Check the date and time settings (and that time synchronisation is on).',
    );
    expect([span(1000), span(61_000), span(2 * 3_600_000), span(86_400_000)]).toEqual([
      '1 second',
      '1 minute',
      '2 hours',
      '1 day',
    ]);
  });

  it('the tray’s notification starts with what was not done, cut short where it must be', () => {
    const reason =
      'this computer has run for 5 minutes without a restart since snapshot p-2026-11-20-100000, ' +
      'yet its clock moved 3 days forward: it was put forward by about 3 days';
    const text = notificationText({
      kind: 'finished',
      snapshot: 'p-2026-11-23-100500',
      files: 3,
      bytesSent: 1200,
      durationMs: 4000,
      warnings: [suspectClockWarning([reason])],
    });
    expect(text.summary).toBe('Backup finished with a warning');
    expect(text.body).toMatch(
      /^This computer's clock looks wrong, so the backup was made but nothing was deleted automatically: this computer has run for 5 minutes/,
    );
  });

  it('reads this machine’s boot id and uptime', async () => {
    const boot = await readBootClock();
    expect(boot.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(boot.uptimeSeconds).toBeGreaterThan(0);
  });
});
