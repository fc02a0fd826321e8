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
      'Today 03:00 — 1,204 files, 35.0 MB sent',
      'Next backup: Tomorrow 03:00',
      '---',
      'Back Up Now',
      'Pause',
      '---',
      'Browse Backups…',
      'Settings…',
      'Show Log',
      'Start at Login',
      '---',
      'Quit',
    ]);
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

  it('shows a pause with Resume Backups, and the last failure always', () => {
    const s = state({
      pause: { paused: true, until: new Date(2026, 10, 26, 14, 30) },
      lastFailure: {
        at: new Date(2026, 10, 26, 3, 0),
        reason: 'Disk full.\nReally.',
        skipped: false,
      },
    });
    expect(labels(s).slice(0, 2)).toEqual([
      'Paused until 14:30',
      'Last backup failed (Today): Disk full. Really.',
    ]);
    expect(labels(s)).toContain('Resume Backups');
    expect(trayMenu(s, NOW).icon).toBe('paused');
    expect(trayMenu({ ...s, pause: { paused: false } }, NOW).icon).toBe('error');
  });

  it('says "Not set up" before a destination is chosen', () => {
    const view = trayMenu(initialTrayState(), NOW);
    expect(view.items[0]?.label).toBe('Not set up');
    expect(view.items.find((i) => i.id === 'backup-now')?.enabled).toBe(false);
    // There is nothing to browse yet.
    expect(view.items.find((i) => i.id === 'browse')).toEqual({
      id: 'browse',
      label: 'Browse Backups…',
      enabled: false,
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
