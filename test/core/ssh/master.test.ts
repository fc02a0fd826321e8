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
  ])('%j → %s', (stderr, kind) => {
    expect(classifySshFailure(stderr, 'me@router').kind).toBe(kind);
  });
});
