/**
 * `snaptray schedule --print-cron | --print-systemd`: an entry that runs backups on the profile's
 * schedule, spelled as this installation runs the command. It runs `backup --if-due`, so the
 * profile's schedule (interval, catch-up, pause, retry after a failure) decides, exactly as in the
 * tray; the entry only says how often to ask.
 */
import { safeText } from '../../terminal-text.js';
import { failure, type Failure } from '../../errors.js';
import type { Schedule } from '../../schedule.js';
import type { CliArgs } from '../args.js';
import { thisInvocation, type Invocation } from '../invocation.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import { describeSchedule } from '../schedule-words.js';
import { shellLine, shellQuote } from '../shell-words.js';
import { stateProfile, type StateProfile } from '../state-profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { profile: null, cron: null, systemd: null, notes: [], error };
}

export async function schedule(args: CliArgs, ctx: CommandContext): Promise<Output> {
  if (args.printCron === args.printSystemd) {
    return failedOutput(
      failureJson,
      2,
      failure('usage', '"schedule" needs one of --print-cron or --print-systemd.'),
    );
  }
  const resolved = await stateProfile(args, ctx);
  if (!resolved.ok) return failedOutput(failureJson, 2, failure('settings', resolved.message));
  const sp = resolved.value;
  const invocation = thisInvocation(ctx.env, ctx.cwd);
  const words = [...invocation.command, 'backup', '--if-due', ...profileOptions(args, sp)];
  const notes: string[] = [];
  if (!sp.configured) {
    notes.push(
      `Profile "${sp.name}" has no destination or no sources yet: the entry runs, but every backup fails until they are set.`,
    );
  }
  if (sp.name === 'default') {
    notes.push(
      'The tray app, while it runs, backs up this profile on the same schedule. Both use one ' +
        'history and one lock, so a backup the tray made is not made again; keep only one of them if you prefer.',
    );
  }
  if (args.printCron) {
    const entry = cronEntry(sp, invocation, words);
    notes.unshift(
      'Add it with "crontab -e". cron mails what the command prints: one line for each backup, and every warning and error.',
    );
    writeNotes(ctx, args, notes);
    return {
      exitCode: 0,
      json: { profile: sp.name, cron: entry, systemd: null, notes, error: null },
      text: `${entry}\n`,
    };
  }
  const units = systemdUnits(sp, invocation, words);
  notes.unshift(
    `Save the two units as the files named above them, then run: systemctl --user daemon-reload && systemctl --user enable --now ${units.name}.timer`,
    `To let the timer run while you are logged out: loginctl enable-linger "$USER". What a backup prints goes to the journal: journalctl --user -u ${units.name}.service`,
  );
  writeNotes(ctx, args, notes);
  return {
    exitCode: 0,
    json: {
      profile: sp.name,
      cron: null,
      systemd: { service: units.service, timer: units.timer },
      notes,
      error: null,
    },
    text: `# ${units.service.path}\n${units.service.text}\n# ${units.timer.path}\n${units.timer.text}`,
  };
}

/** The explanations go to stderr, so that stdout holds only what to install. */
function writeNotes(ctx: CommandContext, args: CliArgs, notes: readonly string[]): void {
  if (!args.json) for (const note of notes) ctx.io.stderr.write(`${safeText(note)}\n`);
}

/** The options the scheduled run needs to find this same profile. */
function profileOptions(args: CliArgs, sp: StateProfile): string[] {
  return [
    ...(args.config !== null ? ['--config', sp.configPath] : []),
    ...(sp.name !== 'default' ? ['--profile', sp.name] : []),
  ];
}

/**
 * A daily schedule without catch-up runs at its time; anything else is asked every 15 minutes
 * (an interval counts from the last backup, and cron cannot catch up a missed time by itself).
 */
export function cronTimeFields(s: Schedule): string {
  if (s.mode === 'daily' && !s.catchUp) {
    const [hours, minutes] = s.dailyAt.split(':').map(Number);
    return `${minutes ?? 0} ${hours ?? 0} * * *`;
  }
  return '*/15 * * * *';
}

function cronEntry(sp: StateProfile, invocation: Invocation, words: readonly string[]): string {
  const assignments = invocation.environment.map(([k, v]) => `${k}=${shellQuote(v)}`);
  // cron turns an unescaped % into a line break.
  const command = [...assignments, shellLine(words)].join(' ').replace(/%/g, '\\%');
  const how =
    sp.profile.schedule.mode === 'daily' && !sp.profile.schedule.catchUp
      ? ''
      : ' cron asks every 15 minutes; "backup --if-due" backs up only when one is due.';
  return (
    `# Snaptray, profile "${sp.name}": ${describeSchedule(sp.profile.schedule)}.${how}\n` +
    `${cronTimeFields(sp.profile.schedule)} ${command}`
  );
}

interface UnitFile {
  path: string;
  text: string;
}

/** The timer's OnCalendar: the daily time, or every 15 minutes (see cronTimeFields). */
export function onCalendar(s: Schedule): string {
  return s.mode === 'daily' ? `*-*-* ${s.dailyAt}:00` : '*:0/15';
}

function systemdUnits(
  sp: StateProfile,
  invocation: Invocation,
  words: readonly string[],
): { name: string; service: UnitFile; timer: UnitFile } {
  const name = `snaptray-${sp.name}`;
  const folder = '~/.config/systemd/user';
  const service = [
    '[Unit]',
    `Description=Snaptray backup of profile "${sp.name}"`,
    '',
    '[Service]',
    'Type=oneshot',
    ...invocation.environment.map(([k, v]) => `Environment=${systemdWord(`${k}=${v}`)}`),
    `ExecStart=${words.map(systemdWord).join(' ')}`,
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    `Description=Snaptray backups of profile "${sp.name}", ${describeSchedule(sp.profile.schedule)}`,
    '',
    '[Timer]',
    `OnCalendar=${onCalendar(sp.profile.schedule)}`,
    // A time missed while the machine was off runs at the next start; --if-due decides.
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return {
    name,
    service: { path: `${folder}/${name}.service`, text: service },
    timer: { path: `${folder}/${name}.timer`, text: timer },
  };
}

/** One word of a unit file's command line: % and $ doubled, quoted when it holds blanks. */
export function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
