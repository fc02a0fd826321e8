/** The command line: a contract the tray app and cron users rely on. */
import { parseArgs } from 'node:util';
import { closestWord } from '../suggest.js';

/** Every option any command takes; each command allows a subset (COMMAND_SPECS). */
const OPTIONS = {
  config: { type: 'string' },
  profile: { type: 'string' },
  dest: { type: 'string' },
  prefix: { type: 'string' },
  'ssh-port': { type: 'string' },
  'ssh-key': { type: 'string' },
  'known-hosts': { type: 'string' },
  'ssh-config': { type: 'string' },
  'rsync-path': { type: 'string' },
  source: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  create: { type: 'boolean' },
  'if-due': { type: 'boolean' },
  for: { type: 'string' },
  until: { type: 'string' },
  'print-cron': { type: 'boolean' },
  'print-systemd': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  unfinished: { type: 'boolean' },
  'allow-full-copies': { type: 'boolean' },
  host: { type: 'string' },
  snapshot: { type: 'string' },
  before: { type: 'string' },
  to: { type: 'string' },
  into: { type: 'string' },
  map: { type: 'string', multiple: true },
  'missing-only': { type: 'boolean' },
  'keep-both': { type: 'boolean' },
  text: { type: 'boolean' },
  all: { type: 'boolean' },
  now: { type: 'boolean' },
  sample: { type: 'string' },
  'file-managers': { type: 'boolean' },
  remove: { type: 'boolean' },
  app: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Options every command that works on a destination takes. */
const DESTOPTS: readonly OptionName[] = [
  'config',
  'profile',
  'dest',
  'prefix',
  'ssh-port',
  'ssh-key',
  'known-hosts',
  'ssh-config',
  'rsync-path',
];

interface CommandSpec {
  /** The usage line after `snaptray <name> `. */
  usage: string;
  /** What it does, in a few words, for --help. */
  summary: string;
  destination: boolean;
  options: readonly OptionName[];
  positionals: { min: number; max: number; what: string };
}

const NONE = { min: 0, max: 0, what: '' };

export const COMMAND_SPECS = {
  init: {
    usage: 'DESTOPTS [--create] [--allow-full-copies] [--json]',
    summary: 'write the marker on a destination you name (--create: make its last folder first)',
    destination: true,
    options: ['allow-full-copies', 'json', 'create'],
    positionals: NONE,
  },
  backup: {
    usage: 'DESTOPTS [--source PATH]... [--exclude PATTERN]... [--force] [--if-due] [--json]',
    summary: "make a snapshot now (--if-due: only when the profile's schedule says one is due)",
    destination: true,
    options: ['source', 'exclude', 'force', 'json', 'if-due'],
    positionals: NONE,
  },
  list: {
    usage: 'DESTOPTS [--json]',
    summary: 'the snapshots of this prefix, with their state',
    destination: true,
    options: ['json'],
    positionals: NONE,
  },
  machines: {
    usage: 'DESTOPTS [--json]',
    summary:
      'every prefix on the destination: whose it is, its snapshots, the newest good one, and whether it is overdue',
    destination: true,
    options: ['json'],
    positionals: NONE,
  },
  prune: {
    usage: 'DESTOPTS [--dry-run] [--unfinished] [--json]',
    summary: 'apply the retention policy now (--unfinished: also every unfinished snapshot)',
    destination: true,
    options: ['dry-run', 'unfinished', 'json'],
    positionals: NONE,
  },
  delete: {
    usage: 'DESTOPTS NAME... [--force] [--dry-run] [--json]',
    summary: 'delete chosen snapshots of this prefix',
    destination: true,
    options: ['force', 'dry-run', 'json'],
    positionals: { min: 1, max: 1000, what: 'the names of the snapshots to delete' },
  },
  check: {
    usage: 'DESTOPTS [--json]',
    summary: 'test everything a backup needs from the destination',
    destination: true,
    options: ['json'],
    positionals: NONE,
  },
  adopt: {
    usage: 'DESTOPTS [--map OLD=NEW]... [--json]',
    summary:
      "take over this prefix's snapshots for this profile (after a reinstall or on a new machine); --map: files of the folder OLD are now under NEW, so NEW's next backup links against OLD",
    destination: true,
    options: ['map', 'json'],
    positionals: NONE,
  },
  ls: {
    usage: 'DESTOPTS [SNAPSHOT] [PATH] [--json]',
    summary:
      'the entries of a folder (an absolute path as it was here) in a snapshot (default: the newest complete one)',
    destination: true,
    options: ['json'],
    positionals: { min: 0, max: 2, what: 'a snapshot name, then an absolute path' },
  },
  find: {
    usage: 'DESTOPTS PATTERN [SNAPSHOT | --all] [--json]',
    summary:
      'paths whose name matches PATTERN, in the newest snapshot or in all of them (without * ? [ a name containing PATTERN; either case)',
    destination: true,
    options: ['all', 'json'],
    positionals: { min: 1, max: 2, what: 'a name pattern, then a snapshot name' },
  },
  versions: {
    usage: 'DESTOPTS PATH [--json]',
    summary: 'every distinct version of a file across the snapshots, oldest first',
    destination: true,
    options: ['json'],
    positionals: { min: 1, max: 1, what: 'the path of a file as it was here' },
  },
  restore: {
    usage:
      'DESTOPTS PATH... [--snapshot NAME | --before TIME] [--to DIR | --into NEWPATH] [--missing-only | --keep-both] [--dry-run] [--json]',
    summary:
      'bring files or folders back, into their place (a differing file here is kept beside it as NAME.before-restore-TIME; --keep-both: left as it is, and the snapshot\'s version written beside it as "NAME (restored from TIME).ext") or into DIR; --into: one folder\'s contents into NEWPATH, a folder of another name (a new machine\'s home); TIME is ISO-8601 or a local "YYYY-MM-DD HH:MM"',
    destination: true,
    options: ['snapshot', 'before', 'to', 'into', 'missing-only', 'keep-both', 'dry-run', 'json'],
    positionals: { min: 1, max: 1000, what: 'the paths to restore, as they were here' },
  },
  diff: {
    usage:
      'DESTOPTS OLDER NEWER [PATH] | SNAPSHOT --now [PATH] | --text PATH [--snapshot NAME] [--json]',
    summary:
      "files added, changed and deleted between two snapshots, or since one (--now); changed means the size or the modification time differs; --text: the lines of a text file that differ between a version (the newest, or NAME's) and the file here, as diff -u (exit 0: identical, 3: they differ or the file is not here)",
    destination: true,
    options: ['now', 'text', 'snapshot', 'json'],
    positionals: { min: 1, max: 3, what: 'two snapshot names (or one with --now), then a path' },
  },
  verify: {
    usage: 'DESTOPTS [SNAPSHOT] [--sample PERCENT] [--json]',
    summary:
      'compare by checksum the files whose size and modification time here equal the snapshot’s (exit 3: some differ)',
    destination: true,
    options: ['sample', 'json'],
    positionals: { min: 0, max: 1, what: 'a snapshot name' },
  },
  'import-config': {
    usage: 'FILE [--profile NAME] [--host [USER@]ROUTER] [--config FILE] [--json]',
    summary: "read the old router script's config into a profile",
    destination: false,
    options: ['config', 'profile', 'host', 'json'],
    positionals: { min: 1, max: 1, what: 'the old config file to read' },
  },
  status: {
    usage: '[--profile NAME] [--config FILE] [--dest DEST ...] [--json]',
    summary:
      'the last run, a run in progress, the pause and the next backup (--dest: also the newest snapshot there)',
    destination: true,
    options: ['json'],
    positionals: NONE,
  },
  pause: {
    usage: '[--for DURATION | --until TIME] [--profile NAME] [--config FILE] [--json]',
    summary:
      'hold backups until resumed, for a while (30m, 2h, 1d) or until a time (ISO-8601, or HH:MM: its next occurrence)',
    destination: false,
    options: ['config', 'profile', 'for', 'until', 'json'],
    positionals: NONE,
  },
  resume: {
    usage: '[--profile NAME] [--config FILE] [--json]',
    summary: 'end a pause',
    destination: false,
    options: ['config', 'profile', 'json'],
    positionals: NONE,
  },
  schedule: {
    usage: '--print-cron | --print-systemd [--profile NAME] [--config FILE] [--json]',
    summary:
      "a crontab line, or a systemd user service and timer, that back up on the profile's schedule",
    destination: false,
    options: ['config', 'profile', 'print-cron', 'print-systemd', 'json'],
    positionals: NONE,
  },
  integrate: {
    usage: '--file-managers [--remove] [--app COMMAND] [--json]',
    summary:
      '"Restore Previous Versions…" in the menus of Nautilus, Dolphin and Nemo, for you only (--remove: take them away; --app: the program that starts the app, where it cannot be found)',
    destination: false,
    options: ['file-managers', 'remove', 'app', 'json'],
    positionals: NONE,
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_SPECS;
export const COMMANDS = Object.keys(COMMAND_SPECS) as CommandName[];

export const USAGE = [
  'Usage:',
  ...COMMANDS.map((name) => {
    const spec: CommandSpec = COMMAND_SPECS[name];
    return `  snaptray ${name.padEnd(13)} ${spec.usage}\n${wrap(spec.summary, 76, ' '.repeat(24))}`;
  }),
  '',
  'DESTOPTS: [--config FILE] [--profile NAME] [--dest DEST] [--prefix P] [--ssh-port N]',
  '          [--ssh-key FILE] [--known-hosts FILE] [--ssh-config FILE] [--rsync-path PATH]',
  'DEST is a folder or [user@]host:/path.',
  '',
  'Exit codes: 0 ok, 1 failed, 2 usage or settings error, 3 completed with errors,',
  '4 not run (locked or paused), 5 cancelled.',
].join('\n');

/** Words in lines of at most `width` characters, each line indented. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

export interface CliArgs {
  command: CommandName;
  config: string | null;
  profile: string;
  dest: string | null;
  prefix: string | null;
  sshPort: number | null;
  sshKey: string | null;
  knownHosts: string | null;
  sshConfig: string | null;
  rsyncPath: string | null;
  sources: string[];
  excludes: string[];
  force: boolean;
  json: boolean;
  create: boolean;
  ifDue: boolean;
  /** pause --for and --until, as given. */
  for: string | null;
  until: string | null;
  printCron: boolean;
  printSystemd: boolean;
  dryRun: boolean;
  unfinished: boolean;
  allowFullCopies: boolean;
  host: string | null;
  snapshot: string | null;
  before: string | null;
  to: string | null;
  /** restore --into: the folder that receives one folder's contents. */
  into: string | null;
  /** adopt --map OLD=NEW, both made absolute. */
  maps: Array<{ from: string; to: string }>;
  missingOnly: boolean;
  /** restore --keep-both. */
  keepBoth: boolean;
  /** diff --text. */
  text: boolean;
  all: boolean;
  now: boolean;
  sample: string | null;
  /** integrate --file-managers, --remove and --app (as given). */
  fileManagers: boolean;
  remove: boolean;
  app: string | null;
  positionals: string[];
}

export type ParsedArgs =
  | { ok: true; args: CliArgs }
  /** An empty message means only the usage was asked for (`snaptray backup --help`). */
  | { ok: false; message: string; json: boolean; command: string | null };

const EVERY_PREFIX = ' "snaptray machines" lists every prefix on the destination.';

export function parseCli(argv: readonly string[], cwd: string): ParsedArgs {
  const json = argv.includes('--json');
  const command = argv[0] ?? null;
  const fail = (message: string): ParsedArgs => ({ ok: false, message, json, command });
  if (command === null) return fail('No command given.');
  if (!(COMMANDS as readonly string[]).includes(command)) {
    const guess = closestWord(command, COMMANDS);
    return fail(`Unknown command "${command}".${guess ? ` Did you mean "${guess}"?` : ''}`);
  }
  const name = command as CommandName;
  const spec: CommandSpec = COMMAND_SPECS[name];
  const allowed: readonly string[] = [...(spec.destination ? DESTOPTS : []), ...spec.options];
  let values: Record<string, string | string[] | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.slice(1),
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return fail(unknownOptionMessage((e as Error).message, allowed));
  }
  for (const key of Object.keys(values)) {
    if (key === 'help') return fail('');
    if (!allowed.includes(key)) {
      return fail(
        `--${key} does not apply to "${name}".${key === 'all' && name === 'list' ? EVERY_PREFIX : ''}`,
      );
    }
  }
  const prefix = values.prefix;
  if (typeof prefix === 'string' && /[*?[]/.test(prefix)) {
    return fail(`--prefix "${prefix}" is a pattern; a prefix is one name.${EVERY_PREFIX}`);
  }
  // A value that could be read as an option is refused, wherever it would end up.
  for (const [key, value] of Object.entries(values)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string' && v.startsWith('-')) {
        return fail(
          `--${key} "${v}" starts with "-" and could be read as an option; it is refused.`,
        );
      }
      if (typeof v === 'string' && v === '' && key !== 'exclude') return fail(`--${key} is empty.`);
    }
  }
  const { min, max, what } = spec.positionals;
  if (positionals.length < min || positionals.length > max) {
    if (max === 0) {
      return fail(
        `Unexpected argument "${positionals[0] ?? ''}" (options take the form --name VALUE).`,
      );
    }
    return fail(
      positionals.length < min
        ? `"${name}" needs ${what}.`
        : `"${name}" takes at most ${max} argument${max === 1 ? '' : 's'}: ${what}.`,
    );
  }
  const dashed = positionals.find((p) => p.startsWith('-'));
  if (dashed !== undefined) return fail(`"${dashed}" starts with "-" and is refused.`);
  const str = (k: OptionName) => (typeof values[k] === 'string' ? (values[k] as string) : null);
  const list = (k: OptionName) => (Array.isArray(values[k]) ? (values[k] as string[]) : []);
  let sshPort: number | null = null;
  const port = str('ssh-port');
  if (port !== null) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      return fail(`--ssh-port "${port}" is not a port number (1 to 65535).`);
    }
    sshPort = Number(port);
  }
  const maps: Array<{ from: string; to: string }> = [];
  for (const m of list('map')) {
    const at = m.indexOf('=');
    if (at <= 0 || at === m.length - 1) {
      return fail(
        `--map "${m}" is not OLD=NEW: give the folder's old path, "=", and its new path.`,
      );
    }
    const to = m.slice(at + 1);
    if (to.startsWith('-')) return fail(`--map "${m}": "${to}" starts with "-" and is refused.`);
    maps.push({ from: absoluteFrom(cwd, m.slice(0, at)), to: absoluteFrom(cwd, to) });
  }
  const profile = str('profile') ?? 'default';
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/.test(profile)) {
    return fail(`--profile "${profile}" may hold only letters, digits, ".", "_" and "-".`);
  }
  return {
    ok: true,
    args: {
      command: name,
      config: str('config'),
      profile,
      dest: str('dest'),
      prefix: str('prefix'),
      sshPort,
      sshKey: str('ssh-key'),
      knownHosts: str('known-hosts'),
      sshConfig: str('ssh-config'),
      rsyncPath: str('rsync-path'),
      // Relative to the folder the command runs in, as every command line tool takes paths.
      sources: list('source').map((s) => absoluteFrom(cwd, s)),
      excludes: list('exclude'),
      force: values.force === true,
      json,
      create: values.create === true,
      ifDue: values['if-due'] === true,
      for: str('for'),
      until: str('until'),
      printCron: values['print-cron'] === true,
      printSystemd: values['print-systemd'] === true,
      dryRun: values['dry-run'] === true,
      unfinished: values.unfinished === true,
      allowFullCopies: values['allow-full-copies'] === true,
      host: str('host'),
      snapshot: str('snapshot'),
      before: str('before'),
      to: str('to') === null ? null : absoluteFrom(cwd, str('to') ?? ''),
      maps,
      into: str('into') === null ? null : absoluteFrom(cwd, str('into') ?? ''),
      missingOnly: values['missing-only'] === true,
      keepBoth: values['keep-both'] === true,
      text: values.text === true,
      all: values.all === true,
      now: values.now === true,
      sample: str('sample'),
      fileManagers: values['file-managers'] === true,
      remove: values.remove === true,
      app: str('app'),
      positionals,
    },
  };
}

function absoluteFrom(cwd: string, path: string): string {
  if (path.startsWith('/')) return path;
  const joined = `${cwd.replace(/\/+$/, '')}/${path}`;
  // Normalise `.` and `..` segments without touching the file system (no symlink resolution).
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** node:util's message for an unknown option, made shorter, with a suggestion when one is close. */
function unknownOptionMessage(message: string, allowed: readonly string[]): string {
  const unknown = /Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (unknown !== undefined) {
    const guess = closestWord(unknown.replace(/^-+/, ''), allowed);
    return `Unknown option ${unknown}.${guess ? ` Did you mean --${guess}?` : ''}`;
  }
  return message.replace(/\. To specify.*$/s, '.');
}
