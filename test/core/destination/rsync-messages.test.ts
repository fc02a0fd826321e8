/**
 * Failed rsync calls read from what real routers printed (test/fixtures/rsync-messages/, captured
 * on this machine with dropbear + BusyBox, OpenSSH, rrsync and rsync 3.0.9, 3.1.3 and 3.5.0):
 * each gets the kind and the words that say what happened and what to do.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Destination } from '../../../core/destination/address.js';
import {
  bannerStart,
  classifyRsyncFailure,
  explainingLine,
  missingProgram,
} from '../../../core/destination/rsync-messages.js';
import { stderrTail } from '../../../core/errors.js';
import type { SpawnResult } from '../../../core/process.js';

/** A fixture as the result of the call it records. */
function captured(name: string): SpawnResult {
  const text = readFileSync(
    new URL(`../../fixtures/rsync-messages/${name}.txt`, import.meta.url),
    'utf8',
  );
  const exitCode = Number(/^exit code: (\d+)$/m.exec(text)?.[1]);
  const stderr = /--- stderr ---\n([\s\S]*?)--- stdout ---/.exec(text)?.[1] ?? '';
  const stdout = /--- stdout ---\n([\s\S]*)$/.exec(text)?.[1] ?? '';
  return { exitCode, signal: null, stdout, stderr, cancelled: false, startError: null };
}

const ROUTER: Destination = { kind: 'ssh', user: 'backup', host: 'router.lan', path: '/' };
const LOCAL: Destination = { kind: 'local', path: '/media/usb/snaptray' };

function classify(name: string, dest: Destination = ROUTER) {
  return classifyRsyncFailure(captured(name), 'The transfer', dest);
}

describe('the line that explains a failure', () => {
  it.each([
    [
      '03-rrsync-no-del-delete',
      '/usr/bin/rrsync error: option --delete has been disabled on this server.',
    ],
    [
      '05-rrsync-busy',
      '/usr/bin/rrsync error: Another instance of rrsync is already accessing this directory.',
    ],
    ['02-banner-push-dropbear', 'protocol version mismatch -- is your shell clean?'],
    ['01-not-on-path-dropbear', 'ROUTER/bin/sh: rsync: not found'],
    ['07-rrsync-debian-with-rsync-3.0.9', 'rsync: on remote machine: --drop-D: unknown option'],
    [
      '13-disk-full-dropbear-rsync-3.0.9',
      'rsync: write failed on "TMPFS/snap/tmp/snaptray-capture/home/alice/docs/big.bin": No space left on device (28)',
    ],
    [
      '13-disk-full-dropbear',
      'rsync: [receiver] write failed on "TMPFS/snap/tmp/snaptray-capture/home/alice/docs/big.bin": No space left on device (28)',
    ],
    [
      '12-unreadable-source-dropbear',
      'rsync: [sender] opendir "/tmp/snaptray-capture/home/alice/private" failed: Permission denied (13)',
    ],
  ])('%s: %s', (name, line) => {
    expect(explainingLine(captured(name).stderr)).toBe(line);
  });

  it("is rsync's own last line only when nothing else was said", () => {
    expect(
      explainingLine('rsync: connection unexpectedly closed (0 bytes received so far) [sender]\n'),
    ).toBe('rsync: connection unexpectedly closed (0 bytes received so far) [sender]');
    expect(explainingLine('')).toBeNull();
  });

  it('stderrTail leaves out rsync closing lines when anything else was said', () => {
    expect(stderrTail(captured('05-rrsync-busy').stderr)).toBe(
      '/usr/bin/rrsync error: Another instance of rrsync is already accessing this directory.',
    );
    expect(
      stderrTail('rsync error: error in rsync protocol data stream (code 12) at io.c(285)'),
    ).toBe('rsync error: error in rsync protocol data stream (code 12) at io.c(285)');
  });
});

describe('a failed rsync call in words', () => {
  it.each(['01-not-on-path-dropbear', '01-not-on-path-openssh'])(
    '%s: rsync not on the PATH points to --rsync-path before installing',
    (name) => {
      const f = classify(name);
      expect(f.kind).toBe('remote-rsync-missing');
      expect(f.message).toMatch(/^rsync was not found on the destination: it is not on the PATH/);
      expect(f.message).toMatch(/--rsync-path \/opt\/bin\/rsync/);
      expect(f.message).toMatch(/If it is not installed, install it/);
    },
  );

  it('the rsync path set for the destination is named when rsync is not there', () => {
    const f = classifyRsyncFailure(
      { ...captured('01-not-on-path-dropbear'), stderr: 'sh: /opt/bin/rsync: not found\n' },
      'Listing the destination',
      ROUTER,
    );
    expect(f).toMatchObject({ kind: 'remote-rsync-missing' });
    expect(f.message).toMatch(
      /^rsync was not found on the destination at \/opt\/bin\/rsync, the rsync path set for it/,
    );
  });

  it('a local program that is missing is not blamed on the destination', () => {
    const result = {
      ...captured('01-not-on-path-dropbear'),
      stderr: "nice: 'ionice': No such file or directory\n",
    };
    expect(missingProgram(result)).toBeNull();
    expect(classifyRsyncFailure(result, 'The transfer', ROUTER).kind).toBe('rsync-failed');
  });

  it.each([
    '02-banner-push-dropbear',
    '02-banner-list-only-dropbear',
    '02-banner-list-only-openssh',
  ])('%s: a login that prints text', (name) => {
    const f = classify(name);
    expect(f.kind).toBe('login-banner');
    expect(f.message).toMatch(/the destination's login prints text before it runs commands/);
    expect(f.message).toMatch(
      /"ssh backup@router\.lan true" \(with the same port and key\) must print nothing/,
    );
    expect(f.message).not.toMatch(/not installed/);
  });

  it('reads the banner from the protocol number it became', () => {
    expect(bannerStart(1668048215)).toBe('Welc');
    expect(bannerStart(32)).toBeNull();
    expect(bannerStart(30)).toBeNull();
  });

  it('rrsync -no-del: the key may not delete, and what to do', () => {
    const f = classifyRsyncFailure(
      captured('03-rrsync-no-del-delete'),
      'Deleting r-2001-01-01',
      ROUTER,
    );
    expect(f.kind).toBe('delete-refused');
    expect(f.message).toBe(
      "Deleting r-2001-01-01 was refused: the destination's key may not delete (rrsync -no-del refused " +
        '--delete), so nothing was deleted. Backups through this key work. To prune, add a second key ' +
        'without -no-del and use it for "snaptray prune" and "snaptray delete" (--ssh-key), or delete ' +
        'old snapshots on the router.',
    );
  });

  it('rrsync busy: another transfer holds its lock, distinct from a failure', () => {
    const f = classify('05-rrsync-busy');
    expect(f.kind).toBe('destination-busy');
    expect(f.message).toMatch(
      /^The destination is busy: the transfer was refused because another transfer/,
    );
    expect(f.message).toMatch(/try again later/);
    expect(f.message).toMatch(/-no-lock/);
  });

  it('rrsync -ro: the key is read-only', () => {
    const f = classify('06-rrsync-read-only-push');
    expect(f.kind).toBe('key-read-only');
    expect(f.message).toMatch(
      /^The transfer failed: the destination's key is read-only \(rrsync -ro\)/,
    );
  });

  it('rrsync refusing an option names it', () => {
    const f = classify('07-rrsync-disabled-option');
    expect(f.kind).toBe('rrsync-refused');
    expect(f.message).toMatch(/does not allow the option --write-devices/);
  });

  it('rrsync refusing -s names the environment variable that sends it', () => {
    const f = classifyRsyncFailure(
      {
        ...captured('07-rrsync-disabled-option'),
        stderr: '/usr/bin/rrsync error: option -s has been disabled on this server.\n',
      },
      'Listing the destination',
      ROUTER,
    );
    expect(f.message).toMatch(/RSYNC_PROTECT_ARGS is set in the environment: unset it/);
  });

  it.each([
    [
      '/usr/bin/rrsync error: SSH_ORIGINAL_COMMAND does not run rsync',
      'rrsync-refused',
      /accepts only the command "rsync" .*Clear the rsync path \(--rsync-path\) for this key\.$/,
    ],
    [
      '/usr/bin/rrsync error: Restricted directory does not exist!',
      'destination-missing',
      /the folder the destination's rrsync key is confined to does not exist .*Check that the disk is mounted/,
    ],
  ])('rrsync: %s', (line, kind, words) => {
    const f = classifyRsyncFailure(
      { ...captured('05-rrsync-busy'), stderr: `${line}\n` },
      'Listing the destination',
      ROUTER,
    );
    expect(f.kind).toBe(kind);
    expect(f.message).toMatch(words);
  });

  it('rrsync ending in a Python traceback is read from its last line', () => {
    // rrsync 3.5 locks its folder before it checks that the folder exists.
    const stderr =
      'Traceback (most recent call last):\n' +
      '  File "/usr/bin/rrsync", line 1005, in <module>\n' +
      '    lock_or_die(args.dir)\n' +
      '  File "/usr/bin/rrsync", line 958, in lock_or_die\n' +
      '    lock_handle = os.open(dirname, os.O_RDONLY)\n' +
      "FileNotFoundError: [Errno 2] No such file or directory: '/mnt/usb/snaptray'\n" +
      'rsync: connection unexpectedly closed (0 bytes received so far) [Receiver]\n' +
      'rsync error: error in rsync protocol data stream (code 12) at io.c(285) [Receiver=3.5.0]\n';
    const result = { ...captured('05-rrsync-busy'), stderr };
    expect(explainingLine(stderr)).toBe(
      "FileNotFoundError: [Errno 2] No such file or directory: '/mnt/usb/snaptray'",
    );
    const f = classifyRsyncFailure(result, 'Listing the destination', ROUTER);
    expect(f.kind).toBe('destination-missing');
    expect(f.message).toMatch(/confined to does not exist \("\/mnt\/usb\/snaptray"\)/);
  });

  it("rrsync's generic refusal of an unknown option", () => {
    const f = classify('07-rrsync-unknown-option');
    expect(f.kind).toBe('rrsync-refused');
    expect(f.message).toMatch(
      /did not accept the command rsync sent \("invalid rsync-command syntax or options"\)/,
    );
  });

  it.each([
    ['07-rrsync-debian-with-rsync-3.1.3', '3.1.3'],
    ['07-rrsync-debian-with-rsync-3.0.9', '3.0.9'],
  ])('%s: an rsync too old for the option rrsync adds', (name, version) => {
    const f = classify(name);
    expect(f.kind).toBe('remote-rsync-too-old');
    expect(f.message).toMatch(
      new RegExp(
        `rsync on the destination \\(version ${version.replace(/\./g, '\\.')}\\) does not know the option --drop-D`,
      ),
    );
    expect(f.message).toMatch(/use the rrsync that came with the destination's own rsync/);
  });

  it.each([
    '13-disk-full-dropbear',
    '13-disk-full-local',
    '13-disk-full-dropbear-rsync-3.1.3',
    '13-disk-full-dropbear-rsync-3.0.9',
  ])('%s: a full disk, whatever the exit code', (name) => {
    expect(classify(name).kind).toBe('disk-full');
  });

  it('a path rrsync put below its folder: the folder is missing, and why that may be', () => {
    const f = classify('04-rrsync-absolute-path-outside');
    expect(f.kind).toBe('destination-missing');
    expect(f.message).toBe(
      'The destination folder "RRSYNC_DIR/tmp" does not exist. Check the path, and that the disk is ' +
        "mounted. With a key restricted by rrsync, destination paths are relative to the key's " +
        'folder: use "/" for that folder itself.',
    );
  });

  it('a missing local folder says nothing of rrsync', () => {
    const f = classify('04-rrsync-absolute-path-outside', LOCAL);
    expect(f.kind).toBe('destination-missing');
    expect(f.message).not.toMatch(/rrsync/);
  });

  it('rrsync failing to find a path it reads counts as a missing folder', () => {
    // What a listing through an rrsync key gives for a path that is not below its folder.
    const f = classifyRsyncFailure(
      {
        ...captured('05-rrsync-busy'),
        stderr:
          '/usr/bin/rrsync error: post-realpath open failed (race detected): /mnt/usb/backups/ No such file or directory\n' +
          'rsync: connection unexpectedly closed (0 bytes received so far) [Receiver]\n',
      },
      'Listing the destination',
      ROUTER,
    );
    expect(f.kind).toBe('destination-missing');
    expect(f.message).toMatch(/^The destination folder "\/mnt\/usb\/backups" does not exist\./);
    expect(f.message).toMatch(/relative to the key's folder: use "\/"/);
  });

  it('a failure it does not know keeps the line that explains it, not rsync closing line', () => {
    const f = classify('14-untagged-exfat-dropbear-link-dest');
    expect(f.kind).toBe('rsync-failed');
    expect(f.message).toBe(
      'The transfer failed (rsync exit 23): rsync: failed to set permissions on "EXFAT/snap3/tmp": Operation not permitted (1)',
    );
  });
});
