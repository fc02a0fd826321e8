import { describe, expect, it } from 'vitest';
import { formatDestination, parseDestination } from '../../../core/destination/address.js';

describe('parseDestination', () => {
  it.each([
    ['/media/usb/snaptray/', { kind: 'local', path: '/media/usb/snaptray' }],
    ['/', { kind: 'local', path: '/' }],
    ['/path/with: colon', { kind: 'local', path: '/path/with: colon' }],
    ['router:/mnt/sda1/b', { kind: 'ssh', user: null, host: 'router', path: '/mnt/sda1/b' }],
    [
      'backup@nas.lan:/srv/my backups/',
      { kind: 'ssh', user: 'backup', host: 'nas.lan', path: '/srv/my backups' },
    ],
    ['root@[::1]:/b', { kind: 'ssh', user: 'root', host: '[::1]', path: '/b' }],
    ['me@192.0.2.1:/', { kind: 'ssh', user: 'me', host: '192.0.2.1', path: '/' }],
  ])('reads %j', (text, expected) => {
    const parsed = parseDestination(text);
    expect(parsed).toEqual({ ok: true, value: expected });
    if (parsed.ok) expect(parseDestination(formatDestination(parsed.value))).toEqual(parsed);
  });

  it.each([
    ['', /not set/],
    ['relative/folder', /absolute/],
    ['-oProxyCommand=x:/p', /starts with "-"/],
    ['root@-oProxyCommand=x:/p', /host .*starts with "-"/],
    ['-x@host:/p', /starts with "-"/],
    ['bad user@host:/p', /not a user name/],
    ['host:relative', /path .*absolute/],
    ['ho st:/p', /not a host name/],
    ['host:/a\nb', /line break/],
  ])('refuses %j', (text, message) => {
    const parsed = parseDestination(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});
