import { describe, expect, it } from 'vitest';
import { classifySshFailure, sshConfigText, SshConfigError } from '../../../core/ssh/master.js';

const base = {
  port: null,
  identityFile: null,
  knownHostsFiles: ['/home/ben/.config/Snaptray/known_hosts'],
  includeConfig: null,
  connectTimeoutSeconds: 15,
};

describe('sshConfigText', () => {
  it("puts strict, non-interactive settings first and keeps the user's known_hosts", () => {
    const text = sshConfigText(
      {
        ...base,
        port: 2222,
        identityFile: '/home/ben/keys/my key',
        includeConfig: '/home/ben/.ssh/config',
      },
      '/run/user/1000/snaptray/r1/c',
      ['~/.ssh/known_hosts'],
    );
    expect(text.split('\n').slice(1, -1)).toEqual([
      'BatchMode yes',
      'StrictHostKeyChecking yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'ConnectTimeout 15',
      'ServerAliveInterval 15',
      'ServerAliveCountMax 4',
      'ControlMaster no',
      'ControlPath "/run/user/1000/snaptray/r1/c"',
      'UserKnownHostsFile "~/.ssh/known_hosts" "/home/ben/.config/Snaptray/known_hosts"',
      'Port 2222',
      'IdentityFile "/home/ben/keys/my key"',
      'IdentitiesOnly yes',
      'Include "/home/ben/.ssh/config"',
    ]);
  });

  it('refuses a path ssh could not read back', () => {
    expect(() => sshConfigText({ ...base, identityFile: '/k"ey' }, '/c', [])).toThrow(
      SshConfigError,
    );
    expect(() => sshConfigText({ ...base, identityFile: '/k\nProxyCommand x' }, '/c', [])).toThrow(
      SshConfigError,
    );
  });
});

describe('classifySshFailure (OpenSSH 9.2 messages)', () => {
  it.each([
    ['ssh: connect to host 127.0.0.1 port 1: Connection refused', 'connection-refused'],
    ['Permission denied (publickey).', 'auth-refused'],
    [
      'No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.',
      'host-key-unknown',
    ],
    [
      '@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.',
      'host-key-changed',
    ],
    ['ssh: connect to host 192.0.2.1 port 22: Connection timed out', 'timeout'],
    ['ssh: Could not resolve hostname nas.invalid: Name or service not known', 'unknown-host-name'],
    ['ssh: connect to host 10.9.9.9 port 22: No route to host', 'unreachable'],
    ['kex_exchange_identification: Connection closed by remote host', 'connection-closed'],
    [
      'no such identity: /home/ann/.ssh/id_ed25519: No such file or directory\nroot@127.0.0.1: Permission denied (publickey).',
      'ssh-key-missing',
    ],
    [
      'Permissions 0644 for \'/home/ann/.ssh/id_ed25519\' are too open.\nThis private key will be ignored.\nLoad key "/home/ann/.ssh/id_ed25519": bad permissions\nroot@127.0.0.1: Permission denied (publickey).',
      'ssh-key-too-open',
    ],
    [
      'Load key "/k/id": error in libcrypto\nroot@127.0.0.1: Permission denied (publickey).',
      'ssh-key-unreadable',
    ],
  ])('%j → %s', (stderr, kind) => {
    expect(classifySshFailure(stderr, 'me@router').kind).toBe(kind);
  });

  it('a key this account may not read: the owner and mode to give it', () => {
    // Captured with ssh run as nobody (setpriv) and a key owned by root, mode 0600.
    const stderr =
      'Load key "/root/keys/id": Permission denied\nroot@127.0.0.1: Permission denied (publickey).\n';
    expect(classifySshFailure(stderr, 'root@127.0.0.1')).toEqual({
      kind: 'ssh-key-unreadable',
      message:
        'root@127.0.0.1 refused the login: ssh cannot read the key /root/keys/id ("Permission ' +
        'denied"): this account may not read it. Give it to the account that runs Snaptray, ' +
        'readable by that account alone (as root: chown ACCOUNT /root/keys/id; chmod 600 ' +
        "/root/keys/id), or run Snaptray as the key's owner.",
    });
  });

  it('a public key given for the private one', () => {
    const stderr =
      'Permissions 0644 for \'/k/id.pub\' are too open.\nLoad key "/k/id.pub": bad permissions\nr@h: Permission denied (publickey).';
    expect(classifySshFailure(stderr, 'r@h').message).toBe(
      'r@h refused the login: ssh ignored the key /k/id.pub because others may read it (mode ' +
        '0644); ssh uses a private key only when its owner alone can read it. Fix: chmod 600 ' +
        '/k/id.pub. This file is a public key, though: give the private key, the same path ' +
        'without .pub.',
    );
  });
});
