/** `snaptray import-config`: the old router script's settings, read (never run) into a profile. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Failure } from '../../errors.js';
import { importConfigText } from '../../import-config.js';
import { profileSchema } from '../../settings/schema.js';
import { describeErrors, openConfStore, saveSettings } from '../../settings/store.js';
import type { CliArgs } from '../args.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import { configPathOf, openSettings } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { profile: null, imported: [], notImported: [], warnings: [], error };
}

export async function importConfig(args: CliArgs, ctx: CommandContext): Promise<Output> {
  const file = resolve(ctx.cwd, args.positionals[0] ?? '');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return failedOutput(failureJson, 2, {
      kind: 'usage',
      message: `${file} cannot be read: ${(e as Error).message}`,
    });
  }
  let host: { user?: string; host: string } | undefined;
  if (args.host !== null) {
    const at = args.host.lastIndexOf('@');
    host =
      at >= 0
        ? { user: args.host.slice(0, at), host: args.host.slice(at + 1) }
        : { host: args.host };
  }
  const report = importConfigText(text, host ? { host } : {});
  const configPath = configPathOf(args, ctx.places.configFile);
  const opened = await openSettings(configPath, false);
  if (!opened.ok)
    return failedOutput(failureJson, 2, { kind: 'settings', message: opened.message });
  const existing = opened.settings?.profiles[args.profile];
  // Imported again without --host: the destination imported earlier stays, and the words say so.
  const kept = report.profile.destination === '' ? existing?.destination || null : null;
  const patch: Record<string, unknown> = { ...report.profile };
  if (kept !== null) delete patch.destination;
  const warnings = kept === null ? report.warnings : report.warnings.filter(notAboutDestination);
  const merged = profileSchema.safeParse(mergeProfile(existing ?? {}, patch));
  if (!merged.success) {
    return failedOutput(failureJson, 2, {
      kind: 'settings',
      message: describeErrors(
        file,
        merged.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      ),
    });
  }
  const settings = opened.settings ?? { version: 1 as const, profiles: {} };
  const backend = opened.backend ?? (await openConfStore(configPath));
  const saved = saveSettings(backend, {
    ...settings,
    profiles: { ...settings.profiles, [args.profile]: merged.data },
  });
  if (!saved.ok) {
    return failedOutput(failureJson, 2, {
      kind: 'settings',
      message: describeErrors(configPath, saved.errors),
    });
  }
  const lines = [
    `Imported into profile "${args.profile}" of ${configPath}:`,
    ...report.imported.map((i) => `  ${i}`),
    ...(kept !== null
      ? [`Kept the destination "${kept}" set earlier (pass --host to import BACKUP_DIR instead).`]
      : []),
    ...(report.notImported.length
      ? ['Not imported:', ...report.notImported.map((n) => `  ${n.name}: ${n.why}`)]
      : []),
  ];
  return {
    exitCode: 0,
    json: {
      profile: args.profile,
      imported: report.imported,
      notImported: report.notImported,
      keptDestination: kept,
      warnings,
      error: null,
    },
    text: lines.join('\n') + '\n',
    warnings,
  };
}

function notAboutDestination(warning: string): boolean {
  return !warning.startsWith('No destination set');
}

function mergeProfile(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    out[k] =
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      b &&
      typeof b === 'object' &&
      !Array.isArray(b)
        ? mergeProfile(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
