/** The menu as a pure function of the state, and the small pure pieces around it. */
import { describe, expect, it } from 'vitest';
import { desktopEntry, quoteExecArgument, autostartFile } from '../../electron/tray/autostart.js';
import { cliArguments } from '../../electron/cli-entry.js';
import { trayMenu } from '../../electron/tray/tray-menu.js';
import { initialTrayState, pauseUntil, type TrayState } from '../../electron/tray/tray-state.js';

const NOW = new Date(2026, 10, 26, 13, 30);

function state(over: Partial<TrayState>): TrayState {
  return { ...initialTrayState(), setUp: true, ...over };
}

function labels(s: TrayState): string[] {
  return trayMenu(s, NOW).items.map((i) => (i.type === 'separator' ? '---' : (i.label ?? '')));
}

describe('trayMenu', () => {
  it('shows the last backup, the next one and every item, in these words', () => {
    const view = trayMenu(
      state({
        lastBackup: {
          endedAt: new Date(2026, 10, 26, 3, 0),
          files: 1204,
          bytesSent: 35_000_000,
          partial: false,
        },
        next: new Date(2026, 10, 27, 3, 0),
        logPath: '/state/logs/x.log',
      }),
      NOW,
    );
    expect(view.icon).toBe('idle');
    expect(view.items.map((i) => (i.type === 'separator' ? '---' : i.label))).toEqual([
      'Last backup: Today 03:00 — 1,204 files, 35.0 MB sent',
      'Next backup: Tomorrow 03:00',
      '---',
      'Back Up Now',
      'Pause',
      '---',
      'Restore Files…',
      'Backup History…',
      'Settings…',
      'Start at Login',
      '---',
      'Quit Snaptray',
    ]);
    expect(view.tooltip).toBe('Snaptray — Last backup: Today 03:00 — 1,204 files, 35.0 MB sent');
    expect(view.items.find((i) => i.label === 'Backup History…')?.id).toBe('history');
    expect(view.items.find((i) => i.label === 'Restore Files…')?.id).toBe('browse');
    expect(view.items.find((i) => i.label === 'Pause')?.submenu).toEqual([
      { id: 'pause-hour', label: 'For 1 Hour', enabled: true },
      { id: 'pause-tomorrow', label: 'Until Tomorrow', enabled: true },
      { id: 'pause-indefinitely', label: 'Until I Resume', enabled: true },
    ]);
  });

  it('shows progress while running, with Stop Backup', () => {
    const s = state({
      run: {
        source: 'tray',
        startedAt: NOW,
        stopping: false,
        progress: {
          bytes: 5e6,
          percent: 42,
          printedPercent: 42,
          bytesPerSecond: 12_000_000,
          etaSeconds: 170,
          transfers: 3,
          remaining: 1,
          total: 9,
        },
      },
    });
    expect(labels(s).slice(0, 4)).toEqual([
      'Backing up… 42% — 12.0 MB/s, 3 min left',
      '---',
      'Back Up Now',
      'Stop Backup',
    ]);
    expect(trayMenu(s, NOW).icon).toBe('running');
    expect(trayMenu(s, NOW).items[2]?.enabled).toBe(false);
    // A percent estimated from the previous snapshot's totals says so, as on the terminal.
    const estimated = state({
      run: { ...s.run!, progress: { ...s.run!.progress!, estimated: true } },
    });
    expect(labels(estimated)[0]).toBe('Backing up… ~42% — 12.0 MB/s, 3 min left');
  });

  it('while paused offers Resume instead of the Pause menu, and the last failure always', () => {
    const s = state({
      pause: { paused: true, until: new Date(2026, 10, 26, 14, 30) },
      lastFailure: {
        at: new Date(2026, 10, 26, 3, 0),
        run: '2026-11-26T02:00:00.000Z',
        reason: 'Disk full.\nReally.',
        skipped: false,
      },
    });
    expect(labels(s).slice(0, 8)).toEqual([
      'Paused until 14:30',
      'Backup failed Today 03:00 — Show Details…',
      'Disk full. Really.',
      'Next backup: after the pause',
      '---',
      'Back Up Now',
      'Resume Backups',
      '---',
    ]);
    expect(labels(s)).not.toContain('Pause');
    expect(trayMenu(s, NOW).icon).toBe('paused');
    expect(trayMenu({ ...s, pause: { paused: false } }, NOW).icon).toBe('error');
  });

  it('shows a failure as an item that opens its details, and the next try as an attempt', () => {
    const s = state({
      lastBackup: {
        endedAt: new Date(2026, 10, 25, 3, 0),
        files: 3,
        bytesSent: 300,
        partial: false,
      },
      lastFailure: {
        at: new Date(2026, 10, 26, 3, 0),
        run: '2026-11-26T02:00:00.000Z',
        reason: 'Disk full.',
        skipped: false,
      },
      next: new Date(2026, 10, 26, 14, 0),
    });
    const view = trayMenu(s, NOW);
    expect(labels(s).slice(0, 4)).toEqual([
      'Last backup: Yesterday 03:00 — 3 files, 300 B sent',
      'Backup failed Today 03:00 — Show Details…',
      'Disk full.',
      'Next attempt: Today 14:00',
    ]);
    expect(view.items[1]).toEqual({
      id: 'show-failure',
      label: 'Backup failed Today 03:00 — Show Details…',
      enabled: true,
    });
    expect(view.icon).toBe('error');
    // A skip (the destination did not answer) is no failure: a line, and the next backup.
    const skipped = state({
      lastFailure: {
        at: new Date(2026, 10, 26, 3, 0),
        run: '2026-11-26T02:00:00.000Z',
        reason: 'Not reachable.',
        skipped: true,
      },
      next: new Date(2026, 10, 26, 14, 0),
    });
    expect(labels(skipped).slice(0, 3)).toEqual([
      'No backup yet',
      'Skipped (Today): Not reachable.',
      'Next backup: Today 14:00',
    ]);
    expect(trayMenu(skipped, NOW).items.some((i) => i.id === 'show-failure')).toBe(false);
  });

  it('says when the next attempt is while overdue', () => {
    const s = state({
      lastBackup: {
        endedAt: new Date(2026, 10, 20, 3, 0),
        files: 1,
        bytesSent: 10,
        partial: false,
      },
      overdue: true,
      next: new Date(2026, 10, 26, 15, 0),
    });
    expect(labels(s).slice(0, 3)).toEqual([
      'Last backup: Fri 20 Nov 03:00 — 1 file, 10 B sent',
      'No backup for 6 days',
      'Next attempt: Today 15:00',
    ]);
    expect(trayMenu(s, NOW).icon).toBe('overdue');
  });

  it('before a destination is chosen offers only to set up: no Pause, nothing to restore', () => {
    const view = trayMenu(initialTrayState(), NOW);
    expect(view.items.map((i) => (i.type === 'separator' ? '---' : i.label))).toEqual([
      'Not set up',
      '---',
      'Set Up Backups…',
      'Start at Login',
      '---',
      'Quit Snaptray',
    ]);
    expect(view.items.find((i) => i.label === 'Set Up Backups…')).toEqual({
      id: 'settings',
      label: 'Set Up Backups…',
      enabled: true,
    });
  });

  it('pauses until 08:00 the next day for "Until Tomorrow"', () => {
    expect(pauseUntil('tomorrow', NOW)).toEqual(new Date(2026, 10, 27, 8, 0));
    expect(pauseUntil('hour', NOW)).toEqual(new Date(2026, 10, 26, 14, 30));
    expect(pauseUntil('resume', NOW)).toBeNull();
  });
});

describe('cliArguments', () => {
  it('sends CLI subcommands to the CLI and everything else to the tray', () => {
    expect(cliArguments(['/opt/Snaptray/snaptray', 'backup', '--json'], false)).toEqual([
      'backup',
      '--json',
    ]);
    expect(cliArguments(['/usr/bin/electron', '/app', 'list'], true)).toEqual(['list']);
    expect(cliArguments(['/opt/Snaptray/snaptray'], false)).toBeNull();
    expect(cliArguments(['/opt/Snaptray/snaptray', '--no-sandbox'], false)).toBeNull();
    expect(cliArguments(['/opt/Snaptray/snaptray', '--browse'], false)).toBeNull();
    expect(cliArguments(['/usr/bin/electron', '/app'], true)).toBeNull();
    expect(cliArguments(['/opt/Snaptray/snaptray', '--version'], false)).toEqual(['--version']);
  });
});

describe('autostart entry', () => {
  it('quotes Exec arguments per the Desktop Entry spec', () => {
    expect(quoteExecArgument('/usr/bin/snaptray')).toBe('/usr/bin/snaptray');
    expect(quoteExecArgument('/opt/Snap Tray/snaptray')).toBe('"/opt/Snap Tray/snaptray"');
    expect(quoteExecArgument('/a/$x`y"z')).toBe('"/a/\\\\$x\\\\`y\\\\"z"');
    expect(quoteExecArgument('/a/100%')).toBe('/a/100%%');
    expect(desktopEntry(['/opt/a\nb'])).toMatchObject({ ok: false });
    expect(desktopEntry(['relative'])).toMatchObject({ ok: false });
  });

  it('honours XDG_CONFIG_HOME', () => {
    expect(autostartFile({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/ben')).toBe(
      '/x/cfg/autostart/snaptray.desktop',
    );
    expect(autostartFile({ XDG_CONFIG_HOME: 'rel' }, '/home/ben')).toBe(
      '/home/ben/.config/autostart/snaptray.desktop',
    );
  });
});
