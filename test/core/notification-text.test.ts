// Times in notification texts are local: read them in Berlin time.
process.env.TZ = 'Europe/Berlin';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BODY_MAX,
  SUMMARY_MAX,
  describeTime,
  notificationText,
  plainText,
} from '../../core/notification-text.js';
import type { NotificationEvent } from '../../core/notification-text.js';

const now = new Date(2026, 10, 26, 13, 30);

describe('notificationText, each kind', () => {
  it('started', () => {
    expect(notificationText({ kind: 'started', destination: 'backup@router:/mnt/sda1' })).toEqual({
      summary: 'Backup started',
      body: 'Backing up to backup@router:/mnt/sda1.',
      urgency: 'low',
    });
  });

  it('finished names the snapshot, files, bytes sent and duration', () => {
    const event: NotificationEvent = {
      kind: 'finished',
      snapshot: 'univac-2026-11-26-030000',
      files: 1204,
      bytesSent: 35_000_000,
      durationMs: 182_000,
    };
    expect(notificationText(event)).toEqual({
      summary: 'Backup finished',
      body: 'Snapshot univac-2026-11-26-030000: 1,204 files, 35.0 MB sent in 3 min 2 s.',
      urgency: 'normal',
    });
    expect(notificationText({ ...event, files: 1 }).body).toContain(': 1 file, ');
  });

  it('partial says how many files and where to look', () => {
    expect(
      notificationText({ kind: 'partial', snapshot: 'univac-2026-11-26-030000', failedFiles: 3 }),
    ).toEqual({
      summary: 'Backup completed with errors',
      body:
        'Snapshot univac-2026-11-26-030000 is complete except for 3 files that could not be ' +
        'copied. Show Log in the menu lists them.',
      urgency: 'normal',
    });
  });

  it('failed gives the reason with critical urgency', () => {
    expect(
      notificationText({ kind: 'failed', reason: 'The router refused the connection (port 22).' }),
    ).toEqual({
      summary: 'Backup failed',
      body: 'The router refused the connection (port 22).',
      urgency: 'critical',
    });
  });

  it('skipped says why and when it retries', () => {
    const retryAt = new Date(2026, 10, 26, 13, 35);
    expect(
      notificationText({
        kind: 'skipped',
        reason: 'The backup destination cannot be reached.',
        retryAt,
        now,
      }),
    ).toEqual({
      summary: 'Backup skipped',
      body: 'The backup destination cannot be reached. Trying again at 13:35.',
      urgency: 'normal',
    });
  });

  it('delayed says why and until when', () => {
    const reason = 'The computer is running on battery; the backup waits for mains power.';
    expect(
      notificationText({ kind: 'delayed', reason, until: new Date(2026, 10, 27, 8, 0), now }),
    ).toEqual({
      summary: 'Backup delayed',
      body: `${reason} It runs tomorrow at 08:00 at the latest.`,
      urgency: 'low',
    });
    expect(
      notificationText({ kind: 'delayed', reason: 'Backups are paused.', until: null, now }).body,
    ).toBe('Backups are paused. It runs when backups are resumed.');
  });

  it('overdue counts whole days since the last success', () => {
    const lastSuccessAt = new Date(2026, 10, 22, 3, 0);
    expect(notificationText({ kind: 'overdue', lastSuccessAt, now })).toEqual({
      summary: 'No backup for 4 days',
      body: 'The last successful backup was on Sun 22 Nov at 03:00. Choose Back Up Now in the menu.',
      urgency: 'normal',
    });
    expect(notificationText({ kind: 'overdue', lastSuccessAt: null, now })).toEqual({
      summary: 'No backup yet',
      body: 'No backup has succeeded on this computer yet. Choose Back Up Now in the menu.',
      urgency: 'normal',
    });
  });
});

describe('notificationText, a restore that ended', () => {
  const base = { snapshot: 'univac-2026-11-26-030000', durationMs: 95_000 };
  it('says how many files came back, what was kept aside and what was not restored', () => {
    expect(
      notificationText({
        kind: 'restored',
        outcome: 'ok',
        restored: 1204,
        keptAside: 2,
        skipped: 0,
        ...base,
      }),
    ).toEqual({
      summary: 'Restore finished',
      body: 'Restored 1,204 files from univac-2026-11-26-030000 in 1 min 35 s; 2 current files kept aside.',
      urgency: 'normal',
    });
    expect(
      notificationText({
        kind: 'restored',
        outcome: 'partial',
        restored: 1,
        keptAside: 0,
        skipped: 3,
        ...base,
      }),
    ).toEqual({
      summary: 'Restore finished with problems',
      body: 'Restored 1 file from univac-2026-11-26-030000 in 1 min 35 s; 3 not restored; the Backups window says why.',
      urgency: 'normal',
    });
  });

  it('says a stopped restore left no half-written file', () => {
    expect(
      notificationText({
        kind: 'restored',
        outcome: 'cancelled',
        restored: 7,
        keptAside: 0,
        skipped: 0,
        ...base,
      }),
    ).toEqual({
      summary: 'Restore stopped',
      body: 'Stopped after 7 files from univac-2026-11-26-030000 in 1 min 35 s. No file is left half-written.',
      urgency: 'low',
    });
  });
});

describe('hostile text', () => {
  it('shows shell syntax and quotes literally', () => {
    const snapshot = 'a$(touch /tmp/x)`id`"\'b';
    expect(notificationText({ kind: 'partial', snapshot, failedFiles: 1 }).body).toBe(
      'Snapshot a$(touch /tmp/x)`id`"\'b is complete except for 1 file that could not be copied. ' +
        'Show Log in the menu lists them.',
    );
  });

  it('turns line breaks into spaces and shows controls and bidi overrides escaped', () => {
    const reason = 'line one\nline two\r\nthree\ttab\u0007bell\u001b[31mred\u0085\u202eevil\u2066';
    expect(notificationText({ kind: 'failed', reason }).body).toBe(
      'line one line two three tab\\x07bell\\e[31mred \\u202Eevil\\u2066',
    );
    expect(plainText('a\u2028b\u0000c\u009bd\u200fe')).toBe('a b\\x00c\\x9Bd\\u200Fe');
  });

  it('escapes markup in the body but not in the summary', () => {
    const text = notificationText({ kind: 'failed', reason: '<b>bold</b> & <a href="x">' });
    expect(text.body).toBe('&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href="x"&gt;');
    expect(notificationText({ kind: 'started', destination: '<i>&</i>' }).body).toBe(
      'Backing up to &lt;i&gt;&amp;&lt;/i&gt;.',
    );
  });

  it('caps the body at 300 characters with an ellipsis, never cutting an entity', () => {
    const body = notificationText({ kind: 'failed', reason: 'x'.repeat(298) + '&&&' }).body;
    expect(body.length).toBeLessThanOrEqual(BODY_MAX);
    expect(body).toBe('x'.repeat(298) + '…');
    const short = notificationText({ kind: 'failed', reason: 'y'.repeat(300) });
    expect(short.body).toBe('y'.repeat(300));
    expect(notificationText({ kind: 'failed', reason: 'y'.repeat(301) }).body).toBe(
      'y'.repeat(299) + '…',
    );
  });

  it('caps the summary at 80 characters', () => {
    const text = notificationText({ kind: 'overdue', lastSuccessAt: new Date(0), now });
    expect(text.summary).toBe('No backup for 20,783 days');
    expect(text.summary.length).toBeLessThanOrEqual(SUMMARY_MAX);
  });

  it('never cuts a character made of two UTF-16 units', () => {
    const body = notificationText({ kind: 'failed', reason: '😀'.repeat(400) }).body;
    expect(body).toBe('😀'.repeat(149) + '…');
  });

  it('keeps any text plain and bounded', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 600 }),
      fc.constantFrom('$(touch /tmp/x)', '`rm -rf ~`', '"\'', '\n', '<b>', '&', '\u202e', '\r'),
    );
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 40 }), (parts) => {
        const name = parts.join('');
        const texts = [
          notificationText({ kind: 'failed', reason: name }),
          notificationText({ kind: 'started', destination: name }),
          notificationText({ kind: 'partial', snapshot: name, failedFiles: 2 }),
          notificationText({
            kind: 'restored',
            outcome: 'ok',
            snapshot: name,
            restored: 1,
            keptAside: 1,
            skipped: 0,
            durationMs: 0,
          }),
        ];
        for (const { summary, body } of texts) {
          expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX);
          expect(body.length).toBeLessThanOrEqual(BODY_MAX);
          // eslint-disable-next-line no-control-regex -- asserting no control character is left
          const forbidden = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069<>]/;
          expect(body).not.toMatch(forbidden);
          // Every & starts one of the three entities.
          expect(body.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('describeTime', () => {
  it('says today, tomorrow or the date', () => {
    expect(describeTime(new Date(2026, 10, 26, 14, 30), now)).toBe('14:30');
    expect(describeTime(new Date(2026, 10, 27, 8, 0), now)).toBe('tomorrow at 08:00');
    expect(describeTime(new Date(2026, 10, 25, 3, 0), now)).toBe('yesterday at 03:00');
    expect(describeTime(new Date(2026, 11, 1, 3, 0), now)).toBe('Tue 1 Dec at 03:00');
    expect(describeTime(new Date(2027, 0, 4, 3, 0), now)).toBe('Mon 4 Jan 2027 at 03:00');
  });

  it('counts calendar days across a clock change', () => {
    const evening = new Date(2026, 9, 24, 23, 30);
    expect(describeTime(new Date(2026, 9, 25, 23, 45), evening)).toBe('tomorrow at 23:45');
  });
});
