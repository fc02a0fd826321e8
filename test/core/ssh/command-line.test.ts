import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSshCommand, type SshCommandFields } from '../../../core/ssh/command-line.js';

const HOME = '/home/ben';

function fields(over: Partial<SshCommandFields>): SshCommandFields {
  return { user: null, host: 'router.lan', port: null, identityFile: null, ...over };
}

describe('parseSshCommand: what users paste', () => {
  it.each<[string, SshCommandFields]>([
    [
      'ssh -i ~/.ssh/router -p 2222 admin@192.168.1.1',
      fields({
        user: 'admin',
        host: '192.168.1.1',
        port: 2222,
        identityFile: '/home/ben/.ssh/router',
      }),
    ],
    ['ssh -p2222 -l admin router.lan', fields({ user: 'admin', port: 2222 })],
    ['admin@[fe80::1]', fields({ user: 'admin', host: '[fe80::1]' })],
    ['ssh admin@fe80::1', fields({ user: 'admin', host: '[fe80::1]' })],
    ['router.lan', fields({})],
    ['  ssh   router.lan  ', fields({})],
    ['/usr/bin/ssh router.lan', fields({})],
    [
      'ssh -o Port=2200 -o User=root -o IdentityFile=/keys/id router.lan',
      fields({ user: 'root', port: 2200, identityFile: '/keys/id' }),
    ],
    ['ssh -o "Port 2200" -oUser=root router.lan', fields({ user: 'root', port: 2200 })],
    ['ssh -o port=2200 router.lan', fields({ port: 2200 })],
    [
      'ssh -i "/home/ben/my keys/it\'s key" router.lan',
      fields({ identityFile: "/home/ben/my keys/it's key" }),
    ],
    ['ssh -i \'/keys/a "b"\' router.lan', fields({ identityFile: '/keys/a "b"' })],
    ['ssh -i /keys/with\\ space router.lan', fields({ identityFile: '/keys/with space' })],
    ['ssh -i/keys/joined router.lan', fields({ identityFile: '/keys/joined' })],
    ['ssh router.lan -p 2222', fields({ port: 2222 })],
    ['ssh -p 22 -o Port=22 router.lan', fields({ port: 22 })],
    ['ssh ssh://admin@router.lan:2222', fields({ user: 'admin', port: 2222 })],
    ['ssh -- router.lan', fields({})],
    ['ssh \\\n  -p 2222 \\\n  router.lan', fields({ port: 2222 })],
    ['ssh router.lan # my router', fields({})],
  ])('%s', (text, expected) => {
    expect(parseSshCommand(text, HOME)).toEqual({ ok: true, value: expected });
  });
});

describe('parseSshCommand: what it refuses, and says what to remove', () => {
  it.each<[string, string]>([
    ['', 'Paste an ssh command such as "ssh -i ~/.ssh/router -p 2222 admin@192.168.1.1".'],
    ['ssh', 'Paste an ssh command such as "ssh -i ~/.ssh/router -p 2222 admin@192.168.1.1".'],
    [
      'ssh -v router.lan',
      'Remove "-v": only -i, -p, -l and -o Port/User/IdentityFile can be read from a pasted command.',
    ],
    [
      'ssh -J jump router.lan',
      'Remove "-J jump": only -i, -p, -l and -o Port/User/IdentityFile can be read from a pasted command.',
    ],
    ['ssh -Z router.lan', '"-Z" is not an ssh option: remove it.'],
    [
      'ssh -o ProxyCommand=nc router.lan',
      'Remove "-o ProxyCommand=nc": only the Port, User and IdentityFile settings can be read from a pasted command.',
    ],
    [
      'ssh router.lan ls -l',
      '"ls -l" comes after the host: a remote command or a second host cannot be used. Remove it.',
    ],
    [
      'ssh router.lan nas.lan',
      '"nas.lan" comes after the host: a remote command or a second host cannot be used. Remove it.',
    ],
    ['ssh -p 0 router.lan', 'The port "0" is not a port number (1 to 65535).'],
    ['ssh -p 70000 router.lan', 'The port "70000" is not a port number (1 to 65535).'],
    ['ssh -p twenty router.lan', 'The port "twenty" is not a port number (1 to 65535).'],
    ['ssh -p', '"-p" needs a value after it.'],
    [
      'ssh -p 22 -o Port=2222 router.lan',
      'The port is given twice ("22" and "2222"): remove one of them.',
    ],
    [
      'ssh -l root admin@router.lan',
      'The user is given twice ("root" and "admin"): remove one of them.',
    ],
    [
      'ssh -p 22',
      'No host was found: end the command with user@host, as in "ssh -i ~/.ssh/router -p 2222 admin@192.168.1.1".',
    ],
    [
      'ssh router.lan; rm -rf /',
      'Remove "; rm -rf /": only one ssh command can be read, without ;.',
    ],
    ['ssh router.lan | cat', 'Remove "| cat": only one ssh command can be read, without |.'],
    ["ssh -i 'unclosed router.lan", "A single quote (') is not closed: close or remove it."],
    [
      'ssh -i $HOME/.ssh/key router.lan',
      '"$HOME/.ssh/key" uses $ or a backquote, which a shell would expand; nothing is run here, so write the value out in full.',
    ],
    [
      'ssh -i "`pwd`/key" router.lan',
      '"`pwd`/key" uses $ or a backquote, which a shell would expand; nothing is run here, so write the value out in full.',
    ],
    [
      'ssh -i id_rsa router.lan',
      'The key file "id_rsa" is not a full path: write it from "/" (such as /home/you/.ssh/id_ed25519).',
    ],
    [
      'ssh -- -oProxyCommand=x',
      'The host "-oProxyCommand=x" starts with "-" and would be read as an ssh option.',
    ],
    ['ssh bad_host!', 'The host "bad_host!" is not a host name or IP address.'],
    [
      'ssh "ad min"@router.lan',
      'The user "ad min" is not a user name (letters, digits, ".", "_", "-").',
    ],
  ])('%j', (text, message) => {
    expect(parseSshCommand(text, HOME)).toEqual({ ok: false, message });
  });

  it('does not guess a home folder for ~/', () => {
    expect(parseSshCommand('ssh -i ~/.ssh/key router.lan')).toEqual({
      ok: false,
      message:
        'The key file "~/.ssh/key" starts with "~": write its full path (such as /home/you/.ssh/id_ed25519).',
    });
  });
});

/** Quotes a word for a POSIX shell, in one of the ways a user might. */
function quote(word: string, style: number): string {
  if (style === 0 && /^[A-Za-z0-9_./:@=[\]-]+$/.test(word)) return word;
  if (style === 2) return `"${word.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const userArb = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,15}$/);
const hostArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/),
  fc.ipV4(),
  fc.ipV6().map((a) => `[${a}]`),
);
const keyArb = fc
  .array(
    fc
      .string({ minLength: 1, maxLength: 8, unit: 'grapheme-ascii' })
      .filter((s) => !s.includes('/')),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => `/${parts.join('/')}`);

describe('parseSshCommand: round trip', () => {
  it('reads back the fields of any command it could be given', () => {
    fc.assert(
      fc.property(
        fc.record({
          user: fc.option(userArb),
          host: hostArb,
          port: fc.option(fc.integer({ min: 1, max: 65535 })),
          identityFile: fc.option(keyArb),
        }),
        fc.record({
          leadingSsh: fc.boolean(),
          userAsFlag: fc.boolean(),
          joined: fc.boolean(),
          viaOption: fc.boolean(),
          quoting: fc.integer({ min: 0, max: 2 }),
          portAfterHost: fc.boolean(),
        }),
        (f, style) => {
          const words: string[] = [];
          const after: string[] = [];
          if (style.leadingSsh) words.push('ssh');
          if (f.identityFile !== null) {
            // ssh itself splits an -o value on spaces and quotes, so only plain paths go that way.
            if (style.viaOption && /^[^\s"'\\]+$/.test(f.identityFile))
              words.push('-o', quote(`IdentityFile=${f.identityFile}`, style.quoting));
            else words.push('-i', quote(f.identityFile, style.quoting));
          }
          if (f.port !== null) {
            const port = style.joined ? [`-p${f.port}`] : ['-p', String(f.port)];
            (style.portAfterHost ? after : words).push(...port);
          }
          if (f.user !== null && style.userAsFlag) words.push('-l', quote(f.user, style.quoting));
          const host = f.host.startsWith('[') ? f.host : quote(f.host, style.quoting);
          words.push(f.user !== null && !style.userAsFlag ? `${f.user}@${host}` : host);
          const parsed = parseSshCommand([...words, ...after].join(' '), HOME);
          expect(parsed).toEqual({ ok: true, value: f });
        },
      ),
      { numRuns: 300 },
    );
  });
});
