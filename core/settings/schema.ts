import { z } from 'zod';
import { prefixProblem } from '../destination/snapshot-name.js';

/**
 * The settings file, `~/.config/Snaptray/config.json`. PERSISTED FORMAT: bump `version` and add
 * a step to `migrations.ts` for any change that old files would not satisfy.
 */
export const SETTINGS_VERSION = 1;

const optionLike = (s: string) => !s.startsWith('-');

const absolutePath = z
  .string()
  .min(1, 'must not be empty')
  .refine((s) => s.startsWith('/'), 'must be an absolute path (start with "/")')
  .refine((s) => !s.includes('\n') && !s.includes('\0'), 'must not contain a line break');

const optionalFile = absolutePath.nullable().default(null);

/** A program path the destination's shell may run as it is: no spaces, quotes or `$`. */
export const REMOTE_PROGRAM = /^\/[A-Za-z0-9._+/-]*[A-Za-z0-9._+-]$/;

export const retentionSchema = z.object({
  /** Keep every snapshot younger than this many hours. */
  keepAllHours: z.number().int().min(0).max(8760).default(24),
  /** Then the newest snapshot of each day, for this many days. */
  dailyDays: z.number().int().min(0).max(3650).default(14),
  /** Then of each ISO week (Monday first). */
  weeklyWeeks: z.number().int().min(0).max(520).default(8),
  /** Then of each month. */
  monthlyMonths: z.number().int().min(0).max(1200).default(12),
  /** The old script's OLD_AGE: delete anything older than this many days (null: never). */
  maxAgeDays: z.number().int().min(1).max(36500).nullable().default(null),
  /**
   * When a backup fails because the destination is full, delete this prefix's oldest snapshots
   * (keeping at least `makeRoomKeep`) and try once more. Off unless the user turns it on.
   */
  makeRoom: z.boolean().default(false),
  makeRoomKeep: z.number().int().min(1).max(1000).default(3),
});
export type RetentionPolicy = z.infer<typeof retentionSchema>;

export const scheduleSchema = z.object({
  mode: z.enum(['interval', 'daily']).default('interval'),
  everyHours: z.number().int().min(1).max(168).default(24),
  dailyAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as 03:00')
    .default('03:00'),
  catchUp: z.boolean().default(true),
  waitForAC: z.boolean().default(false),
  skipWhenUnreachable: z.boolean().default(true),
});

export const hooksSchema = z.object({
  pre: z.string().default(''),
  after: z.string().default(''),
  fail: z.string().default(''),
  timeoutSeconds: z.number().int().min(1).max(86400).default(600),
});

export const notificationsSchema = z.object({
  started: z.boolean().default(true),
  finished: z.boolean().default(true),
  partial: z.boolean().default(true),
  failed: z.boolean().default(true),
  skipped: z.boolean().default(true),
  overdue: z.boolean().default(true),
  /**
   * Another machine on the profile's destination has had no good backup for longer than its own
   * schedule allows (household.ts). PERSISTED, optional: off unless the user turns it on.
   */
  otherMachinesOverdue: z.boolean().default(false),
});

export const sshSchema = z.object({
  port: z.number().int().min(1).max(65535).nullable().default(null),
  identityFile: optionalFile,
  knownHostsFile: optionalFile,
  /** An ssh config file to include (default: the user's ~/.ssh/config when it exists). */
  configFile: optionalFile,
  /**
   * rsync on the destination when it is not on the PATH of ssh commands there (Entware:
   * /opt/bin/rsync). The far side's shell runs it, so only a plain absolute path is allowed.
   */
  rsyncPath: z
    .string()
    .regex(
      REMOTE_PROGRAM,
      'must be an absolute path of letters, digits and . _ + - / only, such as /opt/bin/rsync',
    )
    .nullable()
    .default(null),
});

export const rsyncOptionsSchema = z.object({
  acls: z.boolean().default(false),
  xattrs: z.boolean().default(false),
  oneFileSystem: z.boolean().default(false),
  compress: z.boolean().default(false),
  /** KiB per second; null: no limit. */
  bandwidthLimit: z.number().int().min(1).nullable().default(null),
  /** Run rsync under nice and ionice -c3. */
  gentle: z.boolean().default(true),
  /**
   * Store owners, groups and special files in extended attributes on the destination
   * (`--fake-super` on the far side), for a whole-system backup to a router account that is not root.
   */
  fakeSuper: z.boolean().default(false),
});

export const excludePattern = z
  .string()
  .min(1, 'must not be empty')
  .refine((s) => !/[\r\n]/.test(s), 'must be a single line')
  .refine((s) => s.trim() !== '', 'must not be only spaces');

/**
 * The name a profile shows in the settings window, the tray and notifications. PERSISTED,
 * optional: without it the profile's key (its name in `profiles`) is shown. The key itself never
 * changes, because the state folder, the run lock, the owner claim on the destination and the
 * printed cron and systemd lines all name the profile by it.
 */
export const displayNameSchema = z
  .string()
  .refine((s) => s.trim() !== '', 'must not be empty')
  .refine((s) => s.trim() === s, 'must not start or end with a space')
  .refine((s) => s.length <= 64, 'must be at most 64 characters')
  .refine(
    // eslint-disable-next-line no-control-regex -- a name is one line of plain text
    (s) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(s),
    'must be one line of plain text',
  );

export const profileSchema = z.object({
  displayName: displayNameSchema.optional(),
  sources: z.array(absolutePath).default([]),
  /** A local folder or `[user@]host:/path`; '' when not set up yet. */
  destination: z
    .string()
    .default('')
    .refine((s) => !s.includes('\n') && !s.includes('\0'), 'must be a single line'),
  prefix: z
    .string()
    .default('')
    .superRefine((s, ctx) => {
      const problem = s === '' ? null : prefixProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ssh: sshSchema.default(sshSchema.parse({})),
  excludes: z.array(excludePattern).default([]),
  rsync: rsyncOptionsSchema.default(rsyncOptionsSchema.parse({})),
  retention: retentionSchema.default(retentionSchema.parse({})),
  schedule: scheduleSchema.default(scheduleSchema.parse({})),
  hooks: hooksSchema.default(hooksSchema.parse({})),
  notifications: notificationsSchema.default(notificationsSchema.parse({})),
  overdueDays: z.number().int().min(1).max(365).default(3),
});
export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;

export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

export const settingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION),
  profiles: z.record(
    z.string().regex(PROFILE_NAME_PATTERN, 'profile names are letters, digits, ".", "_" and "-"'),
    profileSchema,
  ),
});
export type Settings = z.infer<typeof settingsSchema>;

export function defaultProfile(): Profile {
  return profileSchema.parse({});
}

export function defaultSettings(): Settings {
  return { version: SETTINGS_VERSION, profiles: { default: defaultProfile() } };
}

/** One problem with one field, in words a user can act on. */
export interface FieldError {
  /** Dotted path such as `profiles.default.ssh.port`. */
  path: string;
  message: string;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(top level)',
    message: describeIssue(issue),
  }));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'string'
        ? 'must not be empty'
        : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown fields: ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  if (type === 'int') return 'a whole number';
  if (type === 'array') return 'a list';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export { optionLike };
