/**
 * `snaptray integrate --file-managers [--remove] [--app COMMAND]`: "Restore Previous Versions…"
 * in the menus of Nautilus, Dolphin and Nemo for the current user, each starting the app with
 * `--browse PATH`; `--remove` takes away exactly the files it made.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { appImageFile } from '../../desktop-exec.js';
import { failure, type Failure } from '../../errors.js';
import { commandProblem } from '../../integration/file-manager-entries.js';
import {
  dataHome,
  entriesFor,
  findNautilusPython,
  installEntries,
  removeEntries,
  type EntryResult,
} from '../../integration/install.js';
import type { CliArgs } from '../args.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { action: null, app: null, entries: [], warnings: [], error };
}

export async function integrate(args: CliArgs, ctx: CommandContext): Promise<Output> {
  if (!args.fileManagers) {
    return failedOutput(
      failureJson,
      2,
      failure(
        'usage',
        '"integrate" needs --file-managers (the menus of Nautilus, Dolphin and Nemo).',
      ),
    );
  }
  const home = ctx.env.HOME;
  if (home === undefined || !isAbsolute(home)) {
    return failedOutput(
      failureJson,
      2,
      failure(
        'settings',
        'HOME is not set to an absolute path: the menus go under your home folder.',
      ),
    );
  }
  const data = dataHome(ctx.env, home);
  if (args.remove) return described('remove', null, await removeEntries(data));

  const app = await findApp(args.app, ctx);
  if (!app.ok) return failedOutput(failureJson, 2, failure('settings', app.message));
  const problem = commandProblem([app.path]);
  if (problem !== null) return failedOutput(failureJson, 2, failure('settings', problem));
  const nautilusPython = (await findNautilusPython()) !== null;
  const results = await installEntries(data, entriesFor([app.path], nautilusPython));
  return described('install', app.path, results);
}

type Found = { ok: true; path: string } | { ok: false; message: string };

/**
 * The program that starts the app: --app, else the AppImage file, else what the packaged
 * launcher says it is (SNAPTRAY_COMMAND: /usr/bin/snaptray of the deb).
 */
async function findApp(named: string | null, ctx: CommandContext): Promise<Found> {
  if (named !== null) {
    const path = resolve(ctx.cwd, named);
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a file');
      await access(path, constants.X_OK);
    } catch {
      return {
        ok: false,
        message: `--app "${named}" is not a program that can be run (no such file, or not executable). Name the AppImage file or the snaptray command that starts the app.`,
      };
    }
    return { ok: true, path };
  }
  const found = appImageFile(ctx.env) ?? launcherCommand(ctx.env);
  if (found !== null) return { ok: true, path: found };
  return {
    ok: false,
    message:
      'No Snaptray app was found to start from the file manager: this snaptray command does not belong to an installed app (the AppImage or the deb). ' +
      'Name the program that starts the app with --app COMMAND (the AppImage file, /usr/bin/snaptray, or a script that starts your development build). Nothing was installed.',
  };
}

function launcherCommand(env: NodeJS.ProcessEnv): string | null {
  const command = env.SNAPTRAY_COMMAND;
  return command !== undefined && isAbsolute(command) ? command : null;
}

const KIND_WORDS: Record<EntryResult['kind'], string> = {
  'nautilus-extension': 'Nautilus extension',
  'nautilus-script': 'Nautilus script',
  'dolphin-service-menu': 'Dolphin service menu',
  'nemo-action': 'Nemo action',
};

function described(
  action: 'install' | 'remove',
  app: string | null,
  results: readonly EntryResult[],
): Output {
  const lines: string[] = [];
  const warnings: string[] = [];
  for (const r of results) {
    const what = `${KIND_WORDS[r.kind]}: ${r.path}`;
    switch (r.outcome) {
      case 'installed':
        lines.push(`Installed the ${what}`);
        break;
      case 'unchanged':
        lines.push(`Already installed, unchanged: the ${what}`);
        break;
      case 'removed':
        lines.push(`Removed the ${what}`);
        break;
      case 'absent':
        lines.push(`Not installed, nothing to remove: the ${what}`);
        break;
      case 'not-ours':
        warnings.push(
          `${r.path} was not made by Snaptray (it lacks Snaptray's marker line), so it was left as it is${action === 'install' ? ' and the ' + KIND_WORDS[r.kind] + ' was not installed: move that file away and run the command again' : ''}.`,
        );
        break;
      default:
        return assertNever(r.outcome);
    }
  }
  if (action === 'install') {
    if (results.some((r) => r.kind === 'nautilus-extension' && r.outcome === 'installed')) {
      lines.push('Nautilus loads extensions when it starts: run "nautilus -q" to restart it.');
    }
    lines.push(`Each entry starts ${app ?? ''} --browse with the file you right-click.`);
  }
  const failedInstall = action === 'install' && warnings.length > 0;
  return {
    exitCode: failedInstall ? 3 : 0,
    json: {
      action,
      app,
      entries: results.map((r) => ({
        fileManager: r.fileManager,
        kind: r.kind,
        path: r.path,
        outcome: r.outcome,
      })),
      warnings,
      error: null,
    },
    text: lines.map((l) => `${l}\n`).join(''),
    warnings,
  };
}

function assertNever(value: never): never {
  throw new Error(`Unhandled outcome: ${String(value)}`);
}
