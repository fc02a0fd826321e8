import { execFile, execFileSync } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Disks that break snapshots, mounted for one test (testing.md, "Disks that do not keep hard
 * links"): an exFAT USB disk (no hard links, no symbolic links), an NTFS disk mounted without
 * `permissions` (every file mode 777, so --link-dest never matches) and a small tmpfs that fills
 * up. The kernels here cannot loop-mount vfat or exFAT, so exFAT and NTFS go through FUSE.
 * Mounting needs root.
 */
export interface Disk {
  /** The mount point: an empty folder on the new file system. */
  dir: string;
  /** Unmounts, frees the loop device and removes the image; safe to call twice. */
  unmount(): Promise<void>;
}

/** Who owns the disk's root (and, on exFAT and NTFS without permissions, every file on it). */
export interface DiskOwner {
  uid?: number;
  gid?: number;
}

export interface NtfsOptions extends DiskOwner {
  /** Mount with `-o permissions`, so that modes and owners are kept. */
  permissions: boolean;
}

const SBIN_PATH = `/usr/local/sbin:/usr/sbin:/sbin:${process.env['PATH'] ?? '/usr/bin:/bin'}`;

interface Failure extends Error {
  stderr?: string;
}

/** Runs a system program; fails with its standard error in the message. */
function system(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...process.env, PATH: SBIN_PATH } }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else {
        const failure: Failure = new Error(
          `${file} ${args.join(' ')}: ${stderr.trim() || error.message}`,
        );
        failure.stderr = stderr;
        reject(failure);
      }
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Throws a clear error when this machine cannot mount what the test needs. */
async function requireTools(what: string, tools: readonly string[], fuse: boolean): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error(`mounting ${what} needs root`);
  if (fuse && !(await exists('/dev/fuse'))) {
    throw new Error(`cannot mount ${what}: /dev/fuse is missing (FUSE is not available here)`);
  }
  for (const tool of tools) {
    const found = await Promise.all(SBIN_PATH.split(':').map((dir) => exists(join(dir, tool))));
    if (!found.some(Boolean)) {
      throw new Error(`cannot mount ${what}: ${tool} is not installed (scripts/setup.sh --test)`);
    }
  }
}

async function isMounted(dir: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  // /proc/self/mounts writes a space in a path as \040; these paths hold none.
  return mounts.split('\n').some((line) => line.split(' ')[1] === dir);
}

/** Unmounts `dir`, waiting a little while a FUSE daemon or a last process still holds it. */
async function unmountDir(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (!(await isMounted(dir))) return;
    try {
      await system('umount', [dir]);
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Runs `steps` in order and keeps going after a failure, so that a failed unmount still frees
 * the loop device and the image; throws the first failure at the end.
 */
async function cleanUp(steps: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  let first: unknown = null;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== null) throw first;
}

async function prepare(kind: string, sizeMiB: number) {
  if (!Number.isInteger(sizeMiB) || sizeMiB <= 0) throw new Error(`bad size ${sizeMiB} MiB`);
  const root = await mkdtemp(join(tmpdir(), `snaptray-${kind}-`));
  // Another account (the router's) must be able to reach the mount point.
  await chmod(root, 0o755);
  const dir = join(root, 'mnt');
  await mkdir(dir);
  const image = join(root, 'disk.img');
  return { root, dir, image };
}

/** A sparse file of `sizeMiB` MiB. */
async function makeImage(image: string, sizeMiB: number): Promise<void> {
  await writeFile(image, '');
  await truncate(image, sizeMiB * 1024 * 1024);
}

function ownerOptions(owner: DiskOwner): string[] {
  return [
    ...(owner.uid === undefined ? [] : [`uid=${owner.uid}`]),
    ...(owner.gid === undefined ? [] : [`gid=${owner.gid}`]),
  ];
}

function onceOnly(unmount: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= unmount());
}

/**
 * An exFAT file system in an image file: truncate, mkfs.exfat, losetup, mount.exfat-fuse. On it
 * link() fails with EPERM and symlink() with ENOSYS, as on a USB disk formatted for Windows and
 * macOS. All files belong to `owner` (default root) and show mode 777.
 */
export async function mountExfat(sizeMiB: number, owner: DiskOwner = {}): Promise<Disk> {
  await requireTools('exFAT', ['mkfs.exfat', 'mount.exfat-fuse', 'losetup'], true);
  const { root, dir, image } = await prepare('exfat', sizeMiB);
  let loop: string | null = null;
  const unmount = onceOnly(() =>
    cleanUp([
      () => unmountDir(dir),
      async () => {
        if (loop !== null) await system('losetup', ['-d', loop]);
      },
      () => rm(root, { recursive: true, force: true }),
    ]),
  );
  try {
    await makeImage(image, sizeMiB);
    await system('mkfs.exfat', [image]);
    loop = (await system('losetup', ['-f', '--show', image])).trim();
    const options = ownerOptions(owner);
    await system('mount.exfat-fuse', [
      ...(options.length > 0 ? ['-o', options.join(',')] : []),
      loop,
      dir,
    ]);
    return { dir, unmount };
  } catch (error) {
    await unmount().catch(() => undefined);
    throw error;
  }
}

/**
 * An NTFS file system in an image file, mounted by ntfs-3g (no loop device needed). Without
 * `permissions` hard links work but chmod is ignored and every file shows mode 777; with it,
 * modes and owners are kept.
 */
export async function mountNtfs(sizeMiB: number, opts: NtfsOptions): Promise<Disk> {
  await requireTools('NTFS', ['mkntfs', 'ntfs-3g'], true);
  const { root, dir, image } = await prepare('ntfs', sizeMiB);
  const unmount = onceOnly(() =>
    cleanUp([() => unmountDir(dir), () => rm(root, { recursive: true, force: true })]),
  );
  try {
    await makeImage(image, sizeMiB);
    // -F: not a block device; -Q: quick (no zeroing of the image).
    await system('mkntfs', ['-F', '-Q', image]);
    const options = [...(opts.permissions ? ['permissions'] : []), ...ownerOptions(opts)];
    await system('ntfs-3g', [...(options.length > 0 ? ['-o', options.join(',')] : []), image, dir]);
    return { dir, unmount };
  } catch (error) {
    await unmount().catch(() => undefined);
    throw error;
  }
}

/** A tmpfs of `sizeMiB` MiB: a destination disk that fills up (rsync: No space left on device). */
export async function mountTmpfs(sizeMiB: number, owner: DiskOwner = {}): Promise<Disk> {
  await requireTools('tmpfs', ['mount'], false);
  const { root, dir } = await prepare('tmpfs', sizeMiB);
  const unmount = onceOnly(() =>
    cleanUp([() => unmountDir(dir), () => rm(root, { recursive: true, force: true })]),
  );
  try {
    await system('mount', [
      '-t',
      'tmpfs',
      '-o',
      [`size=${sizeMiB}m`, 'mode=0755', ...ownerOptions(owner)].join(','),
      'tmpfs',
      dir,
    ]);
    return { dir, unmount };
  } catch (error) {
    await unmount().catch(() => undefined);
    throw error;
  }
}

/**
 * Makes files or folders immutable (`chattr +i`): not even root may delete, change or add to
 * them, as on a disk that refuses part of a write or a delete. Works on ext4, xfs, btrfs, and
 * tmpfs from Linux 6.0. Gives the function that makes them ordinary again.
 */
export function makeImmutable(...paths: string[]): () => void {
  const chattr = (flag: string) => {
    try {
      execFileSync('chattr', [flag, ...paths], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(
        `chattr ${flag} ${paths.join(' ')} failed (${stderr || (error as Error).message}): the ` +
          'tests need root and a temporary folder on a file system with the immutable flag.',
      );
    }
  };
  chattr('+i');
  return () => chattr('-i');
}

/**
 * A tmpfs of `sizeMiB` MiB mounted on `dir`, an existing folder the test chose beforehand: a
 * USB disk plugged in under a mount point the settings already name. Unmounting leaves `dir`.
 */
export async function mountTmpfsAt(dir: string, sizeMiB: number): Promise<Disk> {
  await requireTools('tmpfs', ['mount'], false);
  await system('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0755`, 'tmpfs', dir]);
  return { dir, unmount: onceOnly(() => unmountDir(dir)) };
}
