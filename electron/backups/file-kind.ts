/**
 * What kind of file an old version is, decided by its content: "Open" hands the desktop only
 * documents, images, audio, video and plain text, the kinds its viewers show without running
 * anything. The desktop picks the application by the name first, so a name must be one of those
 * kinds too (or have no extension at all), but a name alone never makes a file openable: a `.txt`
 * that is a program or starts with `#!` is refused. Everything else (programs, scripts, desktop
 * entries, archives and packages, web pages, and what cannot be told) is shown in the file manager
 * instead, where the user chooses what to do with it. Pure: it looks only at the bytes given.
 */

export type OpenableKind = 'document' | 'image' | 'audio' | 'video' | 'text';

export type FileKind =
  { open: true; kind: OpenableKind; type: string } | { open: false; type: string; why: string };

/** How much of the file the classifier reads: signatures, a zip's first entries, text. */
export const HEAD_BYTES = 64 * 1024;

type Found =
  | { kind: OpenableKind; type: string; extensions?: readonly string[] }
  | { kind: 'refused'; type: string; why: string };

const RUNS = 'the desktop could run it';
const PROGRAM: Omit<Extract<Found, { kind: 'refused' }>, 'type'> = { kind: 'refused', why: RUNS };

/** Extensions the desktop treats as programs, scripts, installers, archives or web pages. */
const REFUSED_EXTENSIONS: Record<string, string> = Object.fromEntries(
  Object.entries({
    'a desktop entry': ['desktop', 'directory'],
    'a script': [
      'sh',
      'bash',
      'zsh',
      'ksh',
      'csh',
      'tcsh',
      'fish',
      'command',
      'py',
      'pyw',
      'pyc',
      'pyz',
      'pl',
      'pm',
      'rb',
      'php',
      'lua',
      'tcl',
      'js',
      'mjs',
      'cjs',
      'vbs',
      'vbe',
      'jse',
      'wsf',
      'wsh',
      'ps1',
      'psm1',
      'bat',
      'cmd',
      'applescript',
      'scpt',
      'awk',
    ],
    'a program': [
      'exe',
      'com',
      'scr',
      'pif',
      'dll',
      'cpl',
      'msi',
      'msp',
      'jar',
      'war',
      'class',
      'apk',
      'appimage',
      'run',
      'bin',
      'out',
      'elf',
      'so',
      'ko',
      'wasm',
      'swf',
      'xpi',
      'crx',
      'application',
      'lnk',
      'url',
      'reg',
      'hta',
    ],
    'a software package': [
      'deb',
      'rpm',
      'snap',
      'flatpak',
      'flatpakref',
      'flatpakrepo',
      'dmg',
      'pkg',
    ],
    'an archive': [
      'zip',
      'tar',
      'gz',
      'tgz',
      'bz2',
      'tbz',
      'xz',
      'txz',
      'zst',
      '7z',
      'rar',
      'lz',
      'lzma',
      'lz4',
      'z',
      'cpio',
      'cab',
      'iso',
      'img',
      'squashfs',
      'ar',
    ],
    'a web page': ['html', 'htm', 'xhtml', 'shtml', 'mht', 'mhtml', 'svg', 'svgz', 'xml', 'xsl'],
  }).flatMap(([type, extensions]) => extensions.map((e) => [e, type])),
);

const DOCUMENT_EXTENSIONS = [
  'pdf',
  'odt',
  'ods',
  'odp',
  'odg',
  'odf',
  'ott',
  'ots',
  'otp',
  'docx',
  'xlsx',
  'pptx',
  'ppsx',
  'docm',
  'xlsm',
  'pptm',
  'doc',
  'xls',
  'ppt',
  'pps',
  'dot',
  'xlt',
  'pot',
  'rtf',
  'epub',
  'djvu',
  'djv',
];
const IMAGE_EXTENSIONS = [
  'png',
  'jpg',
  'jpeg',
  'jpe',
  'jfif',
  'gif',
  'webp',
  'bmp',
  'dib',
  'tif',
  'tiff',
  'ico',
  'cur',
  'heic',
  'heif',
  'avif',
  'jxl',
  'psd',
  'xcf',
  'dng',
  'cr2',
  'nef',
  'arw',
  'orf',
  'rw2',
  'pef',
];
const AUDIO_EXTENSIONS = [
  'mp3',
  'flac',
  'ogg',
  'oga',
  'opus',
  'spx',
  'wav',
  'aif',
  'aiff',
  'aifc',
  'mid',
  'midi',
  'm4a',
  'm4b',
  'aac',
  'amr',
  'wma',
  'caf',
];
const VIDEO_EXTENSIONS = [
  'mp4',
  'm4v',
  'mov',
  'qt',
  '3gp',
  '3g2',
  'mkv',
  'webm',
  'mka',
  'avi',
  'mpg',
  'mpeg',
  'vob',
  'ts',
  'm2ts',
  'mts',
  'flv',
  'f4v',
  'wmv',
  'asf',
  'ogv',
];
const TEXT_EXTENSIONS = [
  'txt',
  'text',
  'md',
  'markdown',
  'rst',
  'org',
  'adoc',
  'log',
  'csv',
  'tsv',
  'json',
  'yaml',
  'yml',
  'toml',
  'ini',
  'cfg',
  'conf',
  'properties',
  'tex',
  'bib',
  'srt',
  'vtt',
  'nfo',
  'diff',
  'patch',
  'c',
  'h',
  'cc',
  'cpp',
  'hpp',
  'rs',
  'go',
  'java',
  'css',
];
const OPENABLE_EXTENSIONS = new Set([
  ...DOCUMENT_EXTENSIONS,
  ...IMAGE_EXTENSIONS,
  ...AUDIO_EXTENSIONS,
  ...VIDEO_EXTENSIONS,
  ...TEXT_EXTENSIONS,
]);

/** The extension the desktop goes by, lower case; '' for none (`.bashrc`, `Makefile`). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Decides whether a file of this name and these first bytes may be opened with the desktop's app. */
export function classifyFile(name: string, head: Buffer): FileKind {
  const found = byContent(head);
  if (found.kind === 'refused') return { open: false, type: found.type, why: found.why };
  const extension = extensionOf(name);
  const refusedType = REFUSED_EXTENSIONS[extension];
  if (refusedType !== undefined) {
    return {
      open: false,
      type: found.type,
      why: `its name ends in .${extension}, which the desktop treats as ${refusedType}`,
    };
  }
  if (found.extensions !== undefined && extension !== '' && !found.extensions.includes(extension)) {
    return {
      open: false,
      type: found.type,
      why: `a name ending in .${extension} may make the desktop treat it as something else`,
    };
  }
  if (extension !== '' && !OPENABLE_EXTENSIONS.has(extension)) {
    return {
      open: false,
      type: found.type,
      why: `Snaptray does not know what the desktop opens .${extension} files with`,
    };
  }
  return { open: true, kind: found.kind, type: found.type };
}

function startsWith(head: Buffer, bytes: string | number[], at = 0): boolean {
  const wanted = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return head.length >= at + wanted.length && head.subarray(at, at + wanted.length).equals(wanted);
}

function ascii(head: Buffer, from: number, to: number): string {
  return head.subarray(from, to).toString('latin1');
}

/** The content's kind, by signature first, then as text. */
function byContent(head: Buffer): Found {
  return programs(head) ?? media(head) ?? documents(head) ?? archives(head) ?? asText(head);
}

function programs(head: Buffer): Found | null {
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) {
    // An AppImage is an ELF program that says so at byte 8.
    return startsWith(head, 'AI', 8)
      ? { ...PROGRAM, type: 'an AppImage (a program)' }
      : { ...PROGRAM, type: 'a program (ELF)' };
  }
  if (startsWith(head, 'MZ')) {
    return { kind: 'refused', type: 'a Windows program', why: 'Wine could run it' };
  }
  for (const magic of [
    [0xfe, 0xed, 0xfa, 0xce],
    [0xfe, 0xed, 0xfa, 0xcf],
    [0xce, 0xfa, 0xed, 0xfe],
    [0xcf, 0xfa, 0xed, 0xfe],
  ]) {
    if (startsWith(head, magic)) return { ...PROGRAM, type: 'a macOS program' };
  }
  if (startsWith(head, [0xca, 0xfe, 0xba, 0xbe])) {
    return { ...PROGRAM, type: 'a program (Java class or macOS)' };
  }
  if (startsWith(head, [0x00, 0x61, 0x73, 0x6d]))
    return { ...PROGRAM, type: 'a WebAssembly program' };
  // AMR audio's own signature starts with "#!"; any other "#!" is a script's interpreter line.
  if (startsWith(head, '#!AMR')) return { kind: 'audio', type: 'AMR audio', extensions: ['amr'] };
  if (startsWith(head, '#!')) return { ...PROGRAM, type: 'a script (it starts with #!)' };
  return null;
}

/** The ISO base media file format (MP4, QuickTime, HEIF): a `ftyp` box with a major brand. */
function isoMedia(head: Buffer): Found | null {
  if (!startsWith(head, 'ftyp', 4)) return null;
  const brand = ascii(head, 8, 12);
  if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) {
    return { kind: 'image', type: 'a HEIF image' };
  }
  if (/^(avif|avis)$/.test(brand)) return { kind: 'image', type: 'an AVIF image' };
  if (/^(M4A |M4B |M4P |F4A )$/.test(brand)) return { kind: 'audio', type: 'MPEG-4 audio' };
  if (/^crx /.test(brand)) return { kind: 'image', type: 'a camera raw image' };
  if (/^(jp2 |jpx |jpm )$/.test(brand)) return { kind: 'image', type: 'a JPEG 2000 image' };
  return { kind: 'video', type: 'MPEG-4 or QuickTime video' };
}

function media(head: Buffer): Found | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { kind: 'image', type: 'a PNG image' };
  }
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'image', type: 'a JPEG image' };
  if (startsWith(head, 'GIF87a') || startsWith(head, 'GIF89a')) {
    return { kind: 'image', type: 'a GIF image' };
  }
  if (startsWith(head, 'II*\0') || startsWith(head, 'MM\0*')) {
    // Camera raw files are TIFF inside.
    return { kind: 'image', type: 'a TIFF image' };
  }
  if (startsWith(head, [0xff, 0x0a]) || startsWith(head, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return { kind: 'image', type: 'a JPEG XL image', extensions: ['jxl'] };
  }
  if (startsWith(head, '8BPS')) return { kind: 'image', type: 'a Photoshop image' };
  if (startsWith(head, 'gimp xcf')) return { kind: 'image', type: 'a GIMP image' };
  if (startsWith(head, 'BM') && head.length >= 6) {
    return { kind: 'image', type: 'a BMP image', extensions: ['bmp', 'dib'] };
  }
  if (startsWith(head, [0, 0, 1, 0]) || startsWith(head, [0, 0, 2, 0])) {
    return { kind: 'image', type: 'an icon', extensions: ['ico', 'cur'] };
  }
  if (startsWith(head, 'RIFF') && head.length >= 12) {
    const form = ascii(head, 8, 12);
    if (form === 'WEBP') return { kind: 'image', type: 'a WebP image' };
    if (form === 'WAVE') return { kind: 'audio', type: 'WAV audio' };
    if (form === 'AVI ') return { kind: 'video', type: 'AVI video' };
  }
  if (startsWith(head, 'FORM') && /^AIF[FC]$/.test(ascii(head, 8, 12))) {
    return { kind: 'audio', type: 'AIFF audio' };
  }
  const iso = isoMedia(head);
  if (iso !== null) return iso;
  if (startsWith(head, 'fLaC')) return { kind: 'audio', type: 'FLAC audio' };
  if (startsWith(head, 'OggS')) {
    const first = ascii(head, 0, Math.min(head.length, 256));
    return /theora|OVP80|dirac/.test(first)
      ? { kind: 'video', type: 'Ogg video' }
      : { kind: 'audio', type: 'Ogg audio' };
  }
  if (startsWith(head, 'ID3')) return { kind: 'audio', type: 'MP3 audio' };
  // An MPEG audio frame or an ADTS header: two bytes only, so the name must agree.
  if (head.length >= 2 && head[0] === 0xff && ((head[1] ?? 0) & 0xf6) === 0xf0) {
    return { kind: 'audio', type: 'AAC audio', extensions: ['aac', 'm4a'] };
  }
  if (head.length >= 2 && head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0) {
    return { kind: 'audio', type: 'MP3 audio', extensions: ['mp3'] };
  }
  if (startsWith(head, 'MThd')) return { kind: 'audio', type: 'MIDI music' };
  if (startsWith(head, 'caff')) return { kind: 'audio', type: 'Core Audio audio' };
  if (startsWith(head, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) {
    return { kind: 'video', type: 'Windows Media audio or video' };
  }
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) {
    return { kind: 'video', type: 'Matroska or WebM video' };
  }
  if (startsWith(head, [0, 0, 1, 0xba]) || startsWith(head, [0, 0, 1, 0xb3])) {
    return { kind: 'video', type: 'MPEG video' };
  }
  if (startsWith(head, 'FLV\x01')) return { kind: 'video', type: 'Flash video' };
  if (head[0] === 0x47 && head[188] === 0x47 && head[376] === 0x47 && !isText(head)) {
    return { kind: 'video', type: 'an MPEG transport stream', extensions: ['ts', 'm2ts', 'mts'] };
  }
  return null;
}

function documents(head: Buffer): Found | null {
  if (startsWith(head, '%PDF-')) return { kind: 'document', type: 'a PDF document' };
  if (startsWith(head, '{\\rtf')) return { kind: 'document', type: 'an RTF document' };
  if (startsWith(head, 'AT&TFORM')) return { kind: 'document', type: 'a DjVu document' };
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    // The same container holds Windows installers (.msi): only an Office name says which.
    return {
      kind: 'document',
      type: 'an Office document (97–2003)',
      extensions: ['doc', 'xls', 'ppt', 'pps', 'dot', 'xlt', 'pot'],
    };
  }
  if (startsWith(head, 'PK\x03\x04')) return zipContent(head);
  return null;
}

/** A zip is an office document, an e-book, a Java or Android program, or an archive. */
function zipContent(head: Buffer): Found {
  // ODF and EPUB store their type first, uncompressed, in an entry named "mimetype".
  if (ascii(head, 30, 38) === 'mimetype') {
    const type = ascii(head, 38, 38 + 80);
    if (type.startsWith('application/vnd.oasis.opendocument.')) {
      return { kind: 'document', type: 'an OpenDocument file' };
    }
    if (type.startsWith('application/epub+zip')) {
      return { kind: 'document', type: 'an EPUB e-book', extensions: ['epub'] };
    }
  }
  const names = head.toString('latin1');
  if (names.includes('META-INF/MANIFEST.MF')) {
    return { ...PROGRAM, type: 'a Java program (.jar)' };
  }
  if (names.includes('AndroidManifest.xml') || names.includes('classes.dex')) {
    return { ...PROGRAM, type: 'an Android program' };
  }
  if (names.includes('[Content_Types].xml') && /(word|xl|ppt)\//.test(names)) {
    return {
      kind: 'document',
      type: 'an Office document',
      extensions: ['docx', 'xlsx', 'pptx', 'ppsx', 'docm', 'xlsm', 'pptm'],
    };
  }
  return { kind: 'refused', type: 'an archive (zip)', why: 'it may hold programs' };
}

function archives(head: Buffer): Found | null {
  const archive = (type: string): Found => ({ kind: 'refused', type, why: 'it may hold programs' });
  if (startsWith(head, 'PK\x05\x06') || startsWith(head, 'PK\x07\x08')) {
    return archive('an archive (zip)');
  }
  if (startsWith(head, [0x1f, 0x8b])) return archive('a compressed file (gzip)');
  if (startsWith(head, 'BZh')) return archive('a compressed file (bzip2)');
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
    return archive('a compressed file (xz)');
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return archive('a compressed file (zstd)');
  if (startsWith(head, [0x04, 0x22, 0x4d, 0x18])) return archive('a compressed file (lz4)');
  if (startsWith(head, 'LZIP')) return archive('a compressed file (lzip)');
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return archive('an archive (7z)');
  if (startsWith(head, 'Rar!\x1a\x07')) return archive('an archive (rar)');
  if (startsWith(head, 'ustar', 257)) return archive('an archive (tar)');
  if (startsWith(head, '070701') || startsWith(head, '070707')) return archive('an archive (cpio)');
  if (startsWith(head, 'MSCF')) return archive('an archive (cab)');
  if (startsWith(head, '!<arch>\ndebian')) {
    return {
      kind: 'refused',
      type: 'a software package (deb)',
      why: 'installing it runs programs',
    };
  }
  if (startsWith(head, '!<arch>')) return archive('an archive (ar)');
  if (startsWith(head, [0xed, 0xab, 0xee, 0xdb])) {
    return {
      kind: 'refused',
      type: 'a software package (rpm)',
      why: 'installing it runs programs',
    };
  }
  if (startsWith(head, 'hsqs') || startsWith(head, 'sqsh'))
    return archive('a disk image (squashfs)');
  if (startsWith(head, 'CD001', 0x8001)) return archive('a disk image (ISO)');
  if (startsWith(head, 'xar!')) return archive('an archive (xar)');
  return null;
}

/** Bytes text never holds: NUL and the control characters other than tab, line breaks, ESC. */
function isText(head: Buffer): boolean {
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) {
      if (byte !== 0x1b) return false;
    }
    if (byte === 0x7f) return false;
  }
  return true;
}

/** Text, unless what it says makes the desktop run it or show it as a web page. */
function asText(head: Buffer): Found {
  if (!isText(head)) {
    return {
      kind: 'refused',
      type: 'a file of a kind Snaptray cannot tell',
      why: 'it may be a program',
    };
  }
  // Blank lines and comments may come before a desktop entry's first group.
  const lines = head
    .toString('latin1')
    .replace(/^\xef\xbb\xbf/, '')
    .split('\n');
  const first = lines.findIndex((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  const start = (first < 0 ? '' : lines.slice(first).join('\n').trimStart())
    .slice(0, 512)
    .toLowerCase();
  if (start.startsWith('[desktop entry]')) {
    return { kind: 'refused', type: 'a desktop entry', why: 'it starts a program' };
  }
  if (/^<(!doctype html|html|\?xml|svg|!--)/.test(start)) {
    return { kind: 'refused', type: 'a web page or XML', why: 'a browser could run its scripts' };
  }
  if (start.startsWith('%!')) return { ...PROGRAM, type: 'a PostScript program' };
  return { kind: 'text', type: 'plain text', extensions: [...TEXT_EXTENSIONS] };
}
