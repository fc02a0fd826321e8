import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  importConfigText,
  mapOldConfig,
  parsePythonConfig,
  type PyValue,
} from '../../core/import-config.js';
import { profileSchema } from '../../core/settings/schema.js';

const EXAMPLE = readFileSync(new URL('../fixtures/old-config.py', import.meta.url), 'utf8');
const ROUTER = { host: { user: 'root', host: '192.0.2.1' } };
const EXCLUDES = [
  '/run/*',
  '/var/run/*',
  '/media/*',
  '/dev/*',
  '/proc/*',
  '/sys/*',
  '/tmp/*',
  '/mnt/*',
];
const SSH_WHY =
  "the router's own key and known_hosts; Snaptray uses this machine's ssh key: see README";
const ROOT_WARNING = "Backing up / needs root: run snaptray from root's cron (or the tray as root)";

function values(entries: [string, PyValue][]): Map<string, PyValue> {
  return new Map(entries);
}

describe('the example file from the design', () => {
  it('parses every assignment, SSH + string included', () => {
    const { values: parsed, problems } = parsePythonConfig(EXAMPLE);
    expect(problems).toEqual([]);
    const ssh = 'ssh -i /ssh_data/id_rsa  -o UserKnownHostsFile=/ssh_data/known_hosts';
    expect(parsed).toEqual(
      values([
        ['OLD_AGE', 30],
        ['PREFIX', 'univac'],
        ['BACKUP_DIR', '/mnt/sda1/backups/'],
        ['SOURCE', 'root@192.0.2.10:/'],
        ['SSH', ssh],
        ['EXCLUDES', EXCLUDES],
        [
          'PREBACKUP_CMD',
          `${ssh} root@192.0.2.10 -C 'DISPLAY=:0.0 notify-send "Backing up system to router..."'`,
        ],
        [
          'AFTERBACKUP_CMD',
          `${ssh} root@192.0.2.10 -C 'DISPLAY=:0.0 notify-send "Root-backups done"'`,
        ],
        ['FAILBACKUP_CMD', ''],
      ]),
    );
  });

  it('becomes a profile pushing / to the router, with a full report', () => {
    const report = importConfigText(EXAMPLE, ROUTER);
    expect(report).toEqual({
      profile: {
        prefix: 'univac',
        destination: 'root@192.0.2.1:/mnt/sda1/backups',
        sources: ['/'],
        excludes: EXCLUDES,
        retention: { maxAgeDays: 30 },
        notifications: { started: true, finished: true },
      },
      imported: [
        'OLD_AGE → retention.maxAgeDays 30',
        "PREFIX → prefix 'univac'",
        "BACKUP_DIR → destination 'root@192.0.2.1:/mnt/sda1/backups'",
        "SOURCE → sources ['/'] (its host part, root@192.0.2.10, was this machine as the router reached it)",
        'EXCLUDES → excludes (8 rsync patterns, kept as written)',
        'PREBACKUP_CMD → notifications.started on (it ran notify-send)',
        'AFTERBACKUP_CMD → notifications.finished on (it ran notify-send)',
      ],
      notImported: [
        { name: 'SSH', why: SSH_WHY },
        { name: 'FAILBACKUP_CMD', why: 'was empty; Snaptray notifies failures by default' },
      ],
      warnings: [ROOT_WARNING],
    });
  });

  it('gives a profile the settings schema accepts, failures still notified', () => {
    const parsed = profileSchema.safeParse(importConfigText(EXAMPLE, ROUTER).profile);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.notifications).toEqual({
      started: true,
      finished: true,
      partial: true,
      failed: true,
      skipped: true,
      overdue: true,
      otherMachinesOverdue: false,
    });
    expect(parsed.data?.retention.maxAgeDays).toBe(30);
  });

  it('without --host leaves the destination unset and says how to set it', () => {
    const report = importConfigText(EXAMPLE, {});
    expect(report.profile.destination).toBe('');
    expect(report.imported.some((line) => line.startsWith('BACKUP_DIR'))).toBe(false);
    expect(report.notImported).toEqual([
      {
        name: 'BACKUP_DIR',
        why: "'/mnt/sda1/backups' is a folder on the router, which the file does not name",
      },
      { name: 'SSH', why: SSH_WHY },
      { name: 'FAILBACKUP_CMD', why: 'was empty; Snaptray notifies failures by default' },
    ]);
    expect(report.warnings).toEqual([
      "No destination set: BACKUP_DIR '/mnt/sda1/backups' is on the router; pass --host with the router's address to import it",
      ROOT_WARNING,
    ]);
    expect(profileSchema.safeParse(report.profile).success).toBe(true);
  });
});

describe('hostile files', () => {
  it('reports code with its line, runs nothing, and still imports the rest', () => {
    const marker = join(tmpdir(), `snaptray-import-${randomUUID()}`);
    const text = [
      "PREFIX = 'univac'",
      `__import__('os').system('touch ${marker}')`,
      `EXCLUDES = open('/etc/passwd').read()`,
      `exec("open('${marker}', 'w')")`,
      `BACKUP_DIR = f'/mnt/{__import__("os").system("touch ${marker}")}'`,
      "SOURCE = HOST + ':/'",
      "HOST = 'root@192.0.2.10'",
      `OLD_AGE = __builtins__.eval('30')`,
      'OLD_AGE = 14',
    ].join('\n');
    const report = importConfigText(text, ROUTER);
    expect(existsSync(marker)).toBe(false);
    expect(report.warnings).toEqual([
      'line 2: skipped: __import__(…) is a function call; nothing in the file is run',
      'line 3: EXCLUDES skipped: open(…) is a function call; nothing in the file is run',
      'line 4: skipped: exec(…) is a function call; nothing in the file is run',
      'line 5: BACKUP_DIR skipped: f-strings are not read',
      'line 6: SOURCE skipped: uses HOST before it is assigned',
      'line 8: OLD_AGE skipped: __builtins__.eval(…) is a function call; nothing in the file is run',
    ]);
    expect(report.profile).toEqual({
      prefix: 'univac',
      destination: '',
      retention: { maxAgeDays: 14 },
    });
    expect(report.notImported).toEqual([{ name: 'HOST', why: 'not a setting of the old script' }]);
  });

  it('reports imports, blocks, attribute access and unreadable values by line', () => {
    const { values: parsed, problems } = parsePythonConfig(
      [
        'import os',
        'if os.getuid() == 0:',
        "    PREFIX = 'root'",
        "    PREFIX = PREFIX + '2'",
        "A = os.environ['HOME']",
        "B = 'x'.join(['a'])",
        'C = True',
        'D = lambda: 1',
        "E = 'a' * 3",
        "F = {'k': 1}",
        "G = ('a', 'b')",
        "H = 'a' + ['b']",
        "I = b'bytes'",
        'J = 1j',
        'K = 010',
        "L = 'ok'",
      ].join('\n'),
    );
    expect(problems).toEqual([
      'line 1: skipped: import statements are not read',
      "line 2: skipped: 'if' blocks are not read, nor the lines indented under them",
      'line 5: A skipped: os.environ[…] is indexing, which is not read',
      'line 6: B skipped: .join on a string is attribute access; nothing in the file is run',
      'line 7: C skipped: True is not read (only strings, numbers and lists are)',
      "line 8: D skipped: 'lambda' is not read",
      "line 9: E skipped: '*' is not read (only + joining strings or lists is)",
      'line 10: F skipped: dicts and sets are not read',
      'line 11: G skipped: tuples are not read',
      'line 12: H skipped: + cannot join a string and a list',
      'line 13: I skipped: bytes literals are not read',
      'line 14: J skipped: 1j is not a number that can be read',
      'line 15: K skipped: 010: Python 3 refuses leading zeros',
    ]);
    expect(parsed).toEqual(values([['L', 'ok']]));
  });

  it('names the line of a bracket left open and reads on after it', () => {
    const { values: parsed, problems } = parsePythonConfig(
      ["A = 'a'", 'EXCLUDES = [', "  '/tmp/*',", "PREFIX = 'univac'"].join('\n'),
    );
    expect(problems).toEqual(["line 2: EXCLUDES skipped: '[' is never closed"]);
    expect(parsed).toEqual(
      values([
        ['A', 'a'],
        ['PREFIX', 'univac'],
      ]),
    );
  });

  it('reports an unclosed string and a later use of the skipped name', () => {
    const { values: parsed, problems } = parsePythonConfig(
      ["A = 'never closed", 'B = A + "x"', 'C = 2'].join('\n'),
    );
    expect(problems).toEqual([
      'line 1: A skipped: a string is not closed on its line',
      'line 2: B skipped: uses A, skipped on line 1',
    ]);
    expect(parsed).toEqual(values([['C', 2]]));
  });

  it('forgets an earlier value when a later assignment of the name is skipped', () => {
    const { values: parsed, problems } = parsePythonConfig(
      ["PREFIX = 'univac'", "PREFIX = open('/etc/hostname').read()"].join('\n'),
    );
    expect(problems).toEqual([
      'line 2: PREFIX skipped: open(…) is a function call; nothing in the file is run',
    ]);
    expect(parsed.has('PREFIX')).toBe(false);
  });

  it('refuses a file that doubles a value until it is huge, without throwing', () => {
    const lines = ["S = 'xxxxxxxx'", "L = ['x', 'y']"];
    for (let i = 0; i < 40; i++) lines.push('S = S + S', 'L = L + L');
    lines.push("LAST = 'read'");
    const { values: parsed, problems } = parsePythonConfig(lines.join('\n'));
    expect(problems.slice(0, 3)).toEqual([
      'line 35: S skipped: the value is too large (over a million characters or list items)',
      'line 37: S skipped: uses S, skipped on line 35',
      'line 38: L skipped: the value is too large (over a million characters or list items)',
    ]);
    expect(problems).toHaveLength(47);
    expect([...parsed.keys()]).toEqual(['LAST']);
    expect(parsed.get('LAST')).toBe('read');
  });

  it('refuses deep nesting without overflowing the stack', () => {
    const { values: parsed, problems } = parsePythonConfig(
      `A = ${'['.repeat(5000)}${']'.repeat(5000)}\nB = ${'-'.repeat(5000)}1\nC = 1`,
    );
    expect(problems).toEqual([
      'line 1: A skipped: lists nested more than 32 deep',
      'line 2: B skipped: nested more than 32 levels deep',
    ]);
    expect(parsed).toEqual(values([['C', 1]]));
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const report = importConfigText(text, ROUTER);
        expect(Array.isArray(report.warnings)).toBe(true);
      }),
      { numRuns: 500 },
    );
    const pieces = fc.constantFrom(
      'A', ' = ', '[', ']', '(', ')', ',', '+', "'", '"', '"""', '\\', '\n', '#', 'r', 'f',
      '1', '.', 'e', '0x', ':', ';', '  ', 'PREFIX', 'EXCLUDES', '\r',
    ); // prettier-ignore
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), (parts) => {
        importConfigText(parts.join(''), {});
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the Python subset', () => {
  it('reads a list spanning lines with comments and a trailing comma', () => {
    const { values: parsed, problems } = parsePythonConfig(
      [
        '# what rsync leaves out',
        'EXCLUDES = [',
        "    '/run/*',    # runtime state",
        '',
        '    "/tmp/*",',
        '    # a comment line inside the list',
        "    '/home/*/.cache',",
        ']  # done',
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(parsed).toEqual(values([['EXCLUDES', ['/run/*', '/tmp/*', '/home/*/.cache']]]));
  });

  it('joins strings with strings and lists with lists, and += too', () => {
    const { values: parsed, problems } = parsePythonConfig(
      [
        "BASE = ['/run/*', '/dev/*']",
        "EXCLUDES = BASE + ['/tmp/*'] + []",
        "EXCLUDES += ['/mnt/*']",
        "DIR = '/mnt/sda1' + '/' + 'backups'",
        "USER = 'root'; HOST = USER + '@192.0.2.10'",
        "SOURCE = (HOST + ':' \\\n  '/')",
        'NESTED = [BASE, [1, [2]]]',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(parsed).toEqual(
      values([
        ['BASE', ['/run/*', '/dev/*']],
        ['EXCLUDES', ['/run/*', '/dev/*', '/tmp/*', '/mnt/*']],
        ['DIR', '/mnt/sda1/backups'],
        ['USER', 'root'],
        ['HOST', 'root@192.0.2.10'],
        ['SOURCE', 'root@192.0.2.10:/'],
        [
          'NESTED',
          [
            ['/run/*', '/dev/*'],
            [1, [2]],
          ],
        ],
      ]),
    );
  });

  it('reads integers and floats in their Python spellings', () => {
    const { values: parsed, problems } = parsePythonConfig(
      [
        'A = 30',
        'B = -7',
        'C = 1_000',
        'D = 0x1F',
        'E = 0o17',
        'F = 0b101',
        'G = 7.5',
        'H = .5',
        'I = 1e3',
        'J = 2.',
        'K = +3',
        'L = 0',
        'M = -0',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect([...parsed.values()]).toEqual([30, -7, 1000, 31, 15, 5, 7.5, 0.5, 1000, 2, 3, 0, 0]);
    expect(Object.is(parsed.get('M'), 0)).toBe(true);
  });

  it('decodes escapes, raw strings, triple quotes and adjacent literals', () => {
    const { values: parsed, problems } = parsePythonConfig(
      [
        String.raw`A = 'it\'s \"quoted\" \\ back\tslash\n'`,
        String.raw`B = "say \"hi\" it's"`,
        String.raw`C = r'C:\temp\new' + r'\''`,
        String.raw`D = '\x41\u00e9\U0001F600\101\0'`,
        String.raw`E = '\d stays'`,
        `F = """line one\nline 'two'"""`,
        `G = 'adjacent' " literals"`,
        String.raw`H = u'unicode'`,
        "I = 'joined \\",
        `on the next line'`,
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(parsed).toEqual(
      values([
        ['A', 'it\'s "quoted" \\ back\tslash\n'],
        ['B', 'say "hi" it\'s'],
        ['C', "C:\\temp\\new\\'"],
        ['D', 'Aé😀A\0'],
        ['E', '\\d stays'],
        ['F', "line one\nline 'two'"],
        ['G', 'adjacent literals'],
        ['H', 'unicode'],
        ['I', 'joined on the next line'],
      ]),
    );
  });

  it('keeps line numbers right after multi-line strings and CRLF line ends', () => {
    const { problems } = parsePythonConfig(
      `A = """one\r\ntwo\r\nthree"""\r\nB = [\r\n 'x',\r\n]\r\nC = nope\r\n`,
    );
    expect(problems).toEqual(['line 7: C skipped: uses nope, which the file never assigns']);
  });
});

describe('mapping the old settings', () => {
  it('reports a PREFIX Snaptray cannot use', () => {
    const report = mapOldConfig(values([['PREFIX', '-rf']]), ROUTER);
    expect(report).toEqual({
      profile: { destination: '' },
      imported: [],
      notImported: [{ name: 'PREFIX', why: `'-rf' must not start with "-"` }],
      warnings: [],
    });
  });

  it.each<[PyValue, string]>([
    [7.5, 'the number 7.5'],
    ['30', "the string '30'"],
    [0, 'the number 0'],
    [-3, 'the number -3'],
    [[30], 'a list of 1 item'],
  ])('reports OLD_AGE = %j', (oldAge, shown) => {
    const report = mapOldConfig(values([['OLD_AGE', oldAge]]), ROUTER);
    expect(report.profile).toEqual({ destination: '' });
    expect(report.notImported).toEqual([
      { name: 'OLD_AGE', why: `must be a whole number of days from 1 to 36500, but is ${shown}` },
    ]);
  });

  it('keeps rsync patterns as written and reports items that are not patterns', () => {
    const report = mapOldConfig(
      values([['EXCLUDES', ['/proc/*', '**/.cache/***', 5, '', ['/x'], '- /foo', 'a\nb']]]),
      ROUTER,
    );
    expect(report.profile).toEqual({
      destination: '',
      excludes: ['/proc/*', '**/.cache/***', '- /foo'],
    });
    expect(report.imported).toEqual(['EXCLUDES → excludes (3 rsync patterns, kept as written)']);
    expect(report.notImported).toEqual([
      { name: 'EXCLUDES[2]', why: 'must be a string, but is the number 5' },
      { name: 'EXCLUDES[3]', why: "'' must not be empty" },
      { name: 'EXCLUDES[4]', why: 'must be a string, but is a list of 1 item' },
      { name: 'EXCLUDES[6]', why: "'a\\x0ab' must be a single line" },
    ]);
  });

  it('reports commands other than notify-send, and extra commands beside one', () => {
    const report = mapOldConfig(
      values([
        ['PREBACKUP_CMD', ''],
        ['AFTERBACKUP_CMD', '/opt/bin/umount-usb /mnt/sda1'],
        ['FAILBACKUP_CMD', 'ssh root@192.0.2.10 -C \'notify-send -u critical "Failed"; rm -f /x\''],
      ]),
      ROUTER,
    );
    expect(report.profile).toEqual({
      destination: '',
      notifications: { started: false, failed: true },
    });
    expect(report.imported).toEqual([
      'PREBACKUP_CMD → notifications.started off (it was empty)',
      'FAILBACKUP_CMD → notifications.failed on (it ran notify-send)',
    ]);
    expect(report.notImported).toEqual([
      {
        name: 'AFTERBACKUP_CMD',
        why: "'/opt/bin/umount-usb /mnt/sda1' ran on the router; for a command on this machine use Snaptray's hooks.after",
      },
    ]);
    expect(report.warnings).toEqual([
      `FAILBACKUP_CMD may run more than notify-send; only its notification was imported, the rest ran on the router (Snaptray's hooks.fail runs commands here): 'ssh root@192.0.2.10 -C \\'notify-send -u critical "Failed"; rm -f /x\\''`,
    ]);
  });

  it('maps SOURCE paths and refuses folders that were on the router itself', () => {
    const home = mapOldConfig(values([['SOURCE', 'ben@[2001:db8::10]:/home/ben/']]), ROUTER);
    expect(home.profile).toEqual({ destination: '', sources: ['/home/ben'] });
    expect(home.warnings).toEqual([]);
    expect(home.imported).toEqual([
      "SOURCE → sources ['/home/ben'] (its host part, ben@[2001:db8::10], was this machine as the router reached it)",
    ]);
    const refused: [string, string][] = [
      ['/mnt/usb', "'/mnt/usb' is a folder on the router itself, not on this machine"],
      ['host::module/', "'host::module/' is an rsync daemon module, not a folder"],
      ['root@host:', "its path '' is not an absolute path"],
    ];
    for (const [source, why] of refused) {
      const report = mapOldConfig(values([['SOURCE', source]]), ROUTER);
      expect(report.notImported).toEqual([{ name: 'SOURCE', why }]);
      expect(report.profile).toEqual({ destination: '' });
    }
  });

  it('builds the destination from --host, with or without a user, and checks the host', () => {
    const dir = values([['BACKUP_DIR', '/mnt/sda1/backups//']]);
    expect(mapOldConfig(dir, { host: { host: 'router.lan' } }).profile.destination).toBe(
      'router.lan:/mnt/sda1/backups',
    );
    expect(
      mapOldConfig(dir, { host: { user: 'admin', host: 'fd00::1' } }).profile.destination,
    ).toBe('admin@[fd00::1]:/mnt/sda1/backups');
    const root = mapOldConfig(values([['BACKUP_DIR', '/']]), ROUTER);
    expect(root.profile.destination).toBe('root@192.0.2.1:/');
    const bad = mapOldConfig(dir, { host: { host: '-oProxyCommand=x' } });
    expect(bad.profile.destination).toBe('');
    expect(bad.notImported).toEqual([
      { name: 'BACKUP_DIR', why: "--host '-oProxyCommand=x' is not a host name or address" },
    ]);
    const relative = mapOldConfig(values([['BACKUP_DIR', 'backups']]), ROUTER);
    expect(relative.notImported).toEqual([
      { name: 'BACKUP_DIR', why: "'backups' is not an absolute path" },
    ]);
  });

  it('lists every other name as not imported', () => {
    const report = importConfigText("HOST = '192.0.2.10'\nVERBOSE = 1\n", ROUTER);
    expect(report.notImported).toEqual([
      { name: 'HOST', why: 'not a setting of the old script' },
      { name: 'VERBOSE', why: 'not a setting of the old script' },
    ]);
    expect(report.profile).toEqual({ destination: '' });
  });
});
