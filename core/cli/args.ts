/** The command line: a contract the tray app and cron users rely on. */
import { parseArgs } from 'node:util';

export const USAGE = `Usage:
  snaptray init    DESTOPTS                      write the marker on a destination you name
  snaptray backup  DESTOPTS [--source PATH]... [--exclude PATTERN]... [--force] [--json]
  snaptray list    DESTOPTS [--json]
  snaptray prune   DESTOPTS [--dry-run] [--json]
  snaptray check   DESTOPTS [--json]
  snaptray import-config FILE [--profile NAME] [--host [USER@]ROUTER] [--config FILE] [--json]

DESTOPTS: [--config FILE] [--profile NAME] [--dest DEST] [--prefix P] [--ssh-port N]
          [--ssh-key FILE] [--known-hosts FILE] [--ssh-config FILE]
DEST is a folder or [user@]host:/path.

Exit codes: 0 ok, 1 failed, 2 usage or settings error, 3 completed with errors,
4 not run (locked or paused), 5 cancelled.`;

export const COMMANDS = ['init', 'backup', 'list', 'prune', 'check', 'import-config'] as const;
export type CommandName = (typeof COMMANDS)[number];

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
  sources: string[];
  excludes: string[];
  force: boolean;
  json: boolean;
  dryRun: boolean;
  host: string | null;
  file: string | null;
}

export type ParsedArgs =
  | { ok: true; args: CliArgs }
  | { ok: false; message: string; json: boolean; command: string | null };

const OPTIONS = {
  config: { type: 'string' },
  profile: { type: 'string' },
  dest: { type: 'string' },
  prefix: { type: 'string' },
  'ssh-port': { type: 'string' },
  'ssh-key': { type: 'string' },
  'known-hosts': { type: 'string' },
  'ssh-config': { type: 'string' },
  source: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<CommandName, readonly string[]> = {
  init: ['json'],
  backup: ['source', 'exclude', 'force', 'json'],
  list: ['json'],
  prune: ['dry-run', 'json'],
  check: ['json'],
  'import-config': ['host', 'json'],
};
const DESTOPTS = [
  'config',
  'profile',
  'dest',
  'prefix',
  'ssh-port',
  'ssh-key',
  'known-hosts',
  'ssh-config',
];

export function parseCli(argv: readonly string[]): ParsedArgs {
  const json = argv.includes('--json');
  const command = argv[0] ?? null;
  const fail = (message: string): ParsedArgs => ({ ok: false, message, json, command });
  if (command === null) return fail('No command given.');
  if (!(COMMANDS as readonly string[]).includes(command))
    return fail(`Unknown command "${command}".`);
  const name = command as CommandName;
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
    return fail((e as Error).message.replace(/\. To specify.*$/s, '.'));
  }
  const allowed =
    name === 'import-config'
      ? ['config', 'profile', ...ALLOWED[name]]
      : [...DESTOPTS, ...ALLOWED[name]];
  for (const key of Object.keys(values)) {
    if (key === 'help') return fail('');
    if (!allowed.includes(key)) return fail(`--${key} does not apply to "${name}".`);
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
  const expectedPositionals = name === 'import-config' ? 1 : 0;
  if (positionals.length !== expectedPositionals) {
    return fail(
      expectedPositionals === 0
        ? `Unexpected argument "${positionals[0] ?? ''}" (options take the form --name VALUE).`
        : 'import-config needs exactly one FILE: the old config file to read.',
    );
  }
  if (positionals[0]?.startsWith('-')) return fail(`FILE "${positionals[0]}" starts with "-".`);
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : null);
  const list = (k: string) => (Array.isArray(values[k]) ? (values[k] as string[]) : []);
  let sshPort: number | null = null;
  const port = str('ssh-port');
  if (port !== null) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      return fail(`--ssh-port "${port}" is not a port number (1 to 65535).`);
    }
    sshPort = Number(port);
  }
  for (const source of list('source')) {
    if (!source.startsWith('/'))
      return fail(`--source "${source}" must be an absolute path (start with "/").`);
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
      sources: list('source'),
      excludes: list('exclude'),
      force: values.force === true,
      json,
      dryRun: values['dry-run'] === true,
      host: str('host'),
      file: positionals[0] ?? null,
    },
  };
}
