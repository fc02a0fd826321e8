#!/usr/bin/env node
/** The `snaptray` command: the same engine as the tray app, for cron and terminals. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { places } from '../environment.js';
import { safeJson, safeText } from '../terminal-text.js';
import type { Failure } from '../errors.js';
import { appVersion } from '../version.js';
import { parseCli, USAGE, type CliArgs, type CommandName } from './args.js';
import * as adoptCommand from './commands/adopt.js';
import * as backupCommand from './commands/backup.js';
import * as checkCommand from './commands/check.js';
import * as deleteCommand from './commands/delete.js';
import * as diffCommand from './commands/diff.js';
import * as findCommand from './commands/find.js';
import * as importConfigCommand from './commands/import-config.js';
import * as integrateCommand from './commands/integrate.js';
import * as initCommand from './commands/init.js';
import * as listCommand from './commands/list.js';
import * as lsCommand from './commands/ls.js';
import * as machinesCommand from './commands/machines.js';
import * as pruneCommand from './commands/prune.js';
import * as pauseCommand from './commands/pause.js';
import * as restoreCommand from './commands/restore.js';
import * as resumeCommand from './commands/resume.js';
import * as scheduleCommand from './commands/schedule.js';
import * as statusCommand from './commands/status.js';
import * as verifyCommand from './commands/verify.js';
import * as versionsCommand from './commands/versions.js';
import type { CommandContext, Io, Output } from './output.js';
import { resolveProfile, type ResolvedProfile } from './profile.js';

interface ProfileCommand {
  kind: 'profile';
  run(args: CliArgs, r: ResolvedProfile, ctx: CommandContext): Promise<Output>;
  failureJson(error: Failure): Record<string, unknown>;
}

interface PlainCommand {
  kind: 'plain';
  run(args: CliArgs, ctx: CommandContext): Promise<Output>;
  failureJson(error: Failure): Record<string, unknown>;
}

/** Each command's code and the JSON it prints when it fails before producing its own. */
const COMMAND_TABLE: Record<CommandName, ProfileCommand | PlainCommand> = {
  init: { kind: 'profile', run: initCommand.init, failureJson: initCommand.failureJson },
  backup: { kind: 'profile', run: backupCommand.backup, failureJson: backupCommand.failureJson },
  list: { kind: 'profile', run: listCommand.list, failureJson: listCommand.failureJson },
  machines: {
    kind: 'profile',
    run: machinesCommand.machines,
    failureJson: machinesCommand.failureJson,
  },
  prune: { kind: 'profile', run: pruneCommand.prune, failureJson: pruneCommand.failureJson },
  delete: {
    kind: 'profile',
    run: deleteCommand.deleteCommand,
    failureJson: deleteCommand.failureJson,
  },
  check: { kind: 'profile', run: checkCommand.check, failureJson: checkCommand.failureJson },
  adopt: { kind: 'profile', run: adoptCommand.adopt, failureJson: adoptCommand.failureJson },
  ls: { kind: 'profile', run: lsCommand.ls, failureJson: lsCommand.failureJson },
  find: { kind: 'profile', run: findCommand.find, failureJson: findCommand.failureJson },
  versions: {
    kind: 'profile',
    run: versionsCommand.versions,
    failureJson: versionsCommand.failureJson,
  },
  restore: {
    kind: 'profile',
    run: restoreCommand.restore,
    failureJson: restoreCommand.failureJson,
  },
  diff: { kind: 'profile', run: diffCommand.diff, failureJson: diffCommand.failureJson },
  verify: { kind: 'profile', run: verifyCommand.verify, failureJson: verifyCommand.failureJson },
  'import-config': {
    kind: 'plain',
    run: importConfigCommand.importConfig,
    failureJson: importConfigCommand.failureJson,
  },
  status: { kind: 'plain', run: statusCommand.status, failureJson: statusCommand.failureJson },
  pause: { kind: 'plain', run: pauseCommand.pause, failureJson: pauseCommand.failureJson },
  resume: { kind: 'plain', run: resumeCommand.resume, failureJson: resumeCommand.failureJson },
  schedule: {
    kind: 'plain',
    run: scheduleCommand.schedule,
    failureJson: scheduleCommand.failureJson,
  },
  integrate: {
    kind: 'plain',
    run: integrateCommand.integrate,
    failureJson: integrateCommand.failureJson,
  },
};

export async function main(
  argv: readonly string[],
  io: Io,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): Promise<number> {
  const first = argv[0];
  if (first === '--version' || first === '-V' || first === 'version') {
    io.stdout.write(`snaptray ${appVersion()}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const parsed = parseCli(argv, cwd);
  if (!parsed.ok) {
    if (parsed.message === '') {
      // `snaptray backup --help`: the usage was asked for.
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (parsed.json) {
      const command = COMMAND_TABLE[parsed.command as CommandName] as
        ProfileCommand | PlainCommand | undefined;
      const error: Failure = { kind: 'usage', message: parsed.message };
      io.stdout.write(
        safeJson(JSON.stringify(command ? command.failureJson(error) : { error })) + '\n',
      );
    }
    io.stderr.write(
      `snaptray: ${safeText(parsed.message)}\nSee "snaptray --help" for the commands and options.\n`,
    );
    return 2;
  }
  const args = parsed.args;
  const command = COMMAND_TABLE[args.command];
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  let out: Output;
  const ctx: CommandContext = { places: places(env), signal: controller.signal, io, env, cwd };
  try {
    out = await runCommand(command, args, ctx);
  } catch (e) {
    out = {
      exitCode: 1,
      json: command.failureJson({ kind: 'internal', message: (e as Error).stack ?? String(e) }),
      text: `snaptray: ${(e as Error).stack ?? String(e)}\n`,
    };
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
  writeOutput(io, args.json, out);
  return out.exitCode;
}

async function runCommand(
  command: ProfileCommand | PlainCommand,
  args: CliArgs,
  ctx: CommandContext,
): Promise<Output> {
  if (command.kind === 'plain') return command.run(args, ctx);
  const resolved = await resolveProfile(args, ctx.places.configFile);
  if (!resolved.ok) {
    const error: Failure = { kind: 'settings', message: resolved.message };
    return { exitCode: 2, json: command.failureJson(error), text: `snaptray: ${error.message}\n` };
  }
  return command.run(args, resolved.value, ctx);
}

/**
 * With --json, stdout holds exactly one object and the words go to stderr. Without it, a result
 * goes to stdout and a failure to stderr. Warnings always reach stderr, so cron mails them.
 */
function writeOutput(io: Io, json: boolean, out: Output): void {
  const success = out.exitCode === 0 || out.exitCode === 3;
  // Names and messages from outside (the destination, rsync, ssh) reach no terminal raw.
  const text = safeText(out.text);
  if (json) {
    io.stdout.write(safeJson(JSON.stringify(out.json)) + '\n');
    if (text) io.stderr.write(text);
  } else if (success) {
    io.stdout.write(text);
  } else if (text) {
    io.stderr.write(text);
  }
  for (const w of out.warnings ?? []) io.stderr.write(`Warning: ${safeText(w)}\n`);
}

export { appVersion };

/** True when this file is the program being run (also through npm's bin symlink). */
function isEntryPoint(): boolean {
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1] ?? '')).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await main(
    process.argv.slice(2),
    { stdout: process.stdout, stderr: process.stderr },
    process.env,
  );
  process.exitCode = code;
}
