/**
 * Ready-made exclude patterns the settings window offers. They are rsync patterns for the
 * backup's `--relative` transfer, where every path is matched from `/`:
 * - `name/` (no other slash) matches a folder of that name at any depth, with all it holds;
 * - `a/b/` (a slash inside) matches the last components of the path, at any depth;
 * - `/proc/*` (leading slash) is anchored at `/`, which `--relative` makes the real root, and
 *   leaves the folder itself in the snapshot as an empty mount point.
 */

export interface ExcludePreset {
  id: string;
  label: string;
  description: string;
  patterns: string[];
}

export const EXCLUDE_PRESETS: readonly ExcludePreset[] = [
  {
    id: 'caches',
    label: 'Caches',
    description:
      'Every .cache folder (programs rebuild what is in them), including the Firefox and Chromium caches kept there.',
    patterns: ['.cache/'],
  },
  {
    id: 'trash',
    label: 'Trash',
    description: 'The desktop trash of each user, and the trash folders on other disks.',
    patterns: ['.local/share/Trash/', '.Trash-*/'],
  },
  {
    id: 'browser-caches',
    label: 'Browser caches',
    description:
      'Cache folders of Firefox, Chromium and Google Chrome, inside and outside .cache. Bookmarks, passwords and history stay.',
    patterns: [
      '.cache/mozilla/',
      '.cache/chromium/',
      '.cache/google-chrome/',
      '.mozilla/firefox/*/cache2/',
      '.config/chromium/*/Cache/',
      '.config/chromium/*/Code Cache/',
      '.config/chromium/*/GPUCache/',
      '.config/google-chrome/*/Cache/',
      '.config/google-chrome/*/Code Cache/',
      '.config/google-chrome/*/GPUCache/',
    ],
  },
  {
    id: 'build-outputs',
    label: 'node_modules and build outputs',
    description:
      'Folders that a package manager or build tool fills again by itself: node_modules, Python and Gradle caches. Folders just named "build" or "dist" are kept, as they may hold your own files.',
    patterns: [
      'node_modules/',
      '__pycache__/',
      '.pytest_cache/',
      '.mypy_cache/',
      '.tox/',
      '.gradle/',
      '.parcel-cache/',
      '.next/',
    ],
  },
  {
    id: 'vm-images',
    label: 'Virtual machine images',
    description:
      'Disk images of virtual machines (QEMU, VirtualBox, VMware, Hyper-V): huge files that change with every use.',
    patterns: ['*.qcow2', '*.vdi', '*.vmdk', '*.vhd', '*.vhdx', 'VirtualBox VMs/'],
  },
  {
    id: 'downloads',
    label: 'Downloads',
    description: 'Every folder named Downloads.',
    patterns: ['Downloads/'],
  },
  {
    id: 'system',
    label: 'System folders',
    description:
      'What the system makes up at run time, temporary files and other mounted disks, when backing up "/". The folders themselves stay, empty.',
    patterns: [
      '/proc/*',
      '/sys/*',
      '/dev/*',
      '/run/*',
      '/var/run/*',
      '/tmp/*',
      '/mnt/*',
      '/media/*',
    ],
  },
];
