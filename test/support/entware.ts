import { join } from 'node:path';

/**
 * A server (sshd or dropbear) that sees rsync where Entware puts it on a router, and nowhere
 * else: it runs in a mount namespace of its own where /opt is an empty tmpfs holding only
 * /opt/bin/rsync (a copy of the machine's), and /usr/bin is an overlay in which rsync is deleted
 * (a whiteout). Nothing changes outside the namespace, so the tests behave the same whether or
 * not the machine running them has an /opt/bin/rsync of its own. Needs root, as the suite does.
 *
 * `scratch` is a folder of the server's own; a tmpfs is mounted on `scratch/overlay` inside the
 * namespace only (an overlay's upper and work folders must share one file system).
 */
export function entwareLaunch(
  scratch: string,
  file: string,
  args: readonly string[],
): { file: string; args: string[] } {
  const overlay = join(scratch, 'overlay');
  const script = [
    'set -eu',
    // Copied before /usr/bin is overlaid; nothing is made under /opt before the tmpfs hides it.
    'mount -t tmpfs -o mode=755 snaptray-entware /opt',
    'mkdir /opt/bin',
    'cp /usr/bin/rsync /opt/bin/rsync',
    'mkdir -p "$1"',
    'mount -t tmpfs -o mode=700 snaptray-overlay "$1"',
    'mkdir "$1/upper" "$1/work"',
    // A character device 0/0 in an overlay's upper folder deletes that name from the lower one.
    'mknod "$1/upper/rsync" c 0 0',
    'mount -t overlay snaptray-usr-bin -o "lowerdir=/usr/bin,upperdir=$1/upper,workdir=$1/work" /usr/bin',
    'shift',
    'exec "$@"',
  ].join('\n');
  // unshare runs sh in its own process (no --fork), and sh execs the server: the PID stays the
  // server's, so the test can stop it by the PID it started.
  return {
    file: 'unshare',
    args: ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', overlay, file, ...args],
  };
}
