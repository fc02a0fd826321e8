/**
 * Paths as they were on the machine that was backed up (`/home/ben/report.txt`), in path text
 * (remote-names.ts). A snapshot stores them under their full path, so the same text names the
 * file here and inside every snapshot.
 */
import { pathBytes, pathText } from './remote-names.js';

export type PathCheck = { ok: true; path: string } | { ok: false; message: string };

/**
 * A path the user typed, made absolute (from `cwd` when relative) and normal: no empty, `.` or
 * `..` components (resolved by their text alone: nothing on this machine is looked at).
 */
export function normalPath(input: string, cwd: string): PathCheck {
  if (input === '') return { ok: false, message: 'The path is empty.' };
  const bytes = pathBytes(input);
  if (bytes.includes(0)) return { ok: false, message: `"${input}" holds a NUL byte.` };
  const typedSlashes = (input.match(/\//g) ?? []).length;
  const slashes = bytes.reduce((n, b) => n + (b === 0x2f ? 1 : 0), 0);
  if (slashes !== typedSlashes) {
    return { ok: false, message: `"${input}" writes "/" as an escape; a name cannot hold "/".` };
  }
  const text = pathText(bytes);
  const joined = text.startsWith('/') ? text : `${cwd.replace(/\/+$/, '')}/${text}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return { ok: true, path: `/${parts.join('/')}` };
}

/** The components of a normal path (none for `/`). */
export function components(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

export function joinPath(folder: string, name: string): string {
  if (name === '') return folder;
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The folders above a path, deepest first, without `/`. */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let p = parentOf(path); p !== '/'; p = parentOf(p)) out.push(p);
  return out;
}

/** Whether `path` is `folder` or lies below it. */
export function isWithin(path: string, folder: string): boolean {
  return folder === '/' || path === folder || path.startsWith(`${folder}/`);
}

/** The part of `path` below `folder` ('' for the folder itself); `path` must lie within it. */
export function below(path: string, folder: string): string {
  if (path === folder) return '';
  return folder === '/' ? path.slice(1) : path.slice(folder.length + 1);
}
