/**
 * What most users never need: how rsync copies metadata, extra ssh files, commands run around
 * each backup, and where the settings are saved.
 */
import type { Profile } from '../../core/settings/schema.js';
import type { LoadedSettings } from '../../electron/ipc/contract.js';
import { group, h, list, readNumber, showNumber, textField, toggleField } from '../shared/dom.js';
import type { Part, PartContext } from './part.js';

export interface AdvancedPage extends Part {
  /** Shows where the settings file is, and whether it exists yet. */
  describeFile(loaded: Pick<LoadedSettings, 'path' | 'exists'>): void;
}

export function createAdvancedPage(ctx: PartContext): AdvancedPage {
  const acls = toggleField({
    label: 'Copy ACLs',
    field: 'rsync.acls',
    hint: 'Access control lists: permissions for more users and groups than owner, group and others.',
  });
  const xattrs = toggleField({
    label: 'Copy extended attributes',
    field: 'rsync.xattrs',
    hint: 'Extra data some programs and security modules attach to files.',
  });
  const fakeSuper = toggleField({
    label: 'Keep owners and special files on a router account that is not root',
    field: 'rsync.fakeSuper',
    hint: 'The router stores them in extended attributes (rsync --fake-super); its disk must support those.',
  });
  const knownHosts = textField({
    label: 'Extra known_hosts file',
    field: 'ssh.knownHostsFile',
    hint: 'Read in addition to ~/.ssh/known_hosts and Snaptray’s own file.',
  });
  const sshConfig = textField({
    label: 'ssh config file',
    field: 'ssh.configFile',
    hint: 'Included so that your own host settings apply; empty uses ~/.ssh/config.',
  });
  const pre = textField({
    label: 'Before a backup',
    field: 'hooks.pre',
    hint: 'If it fails, the backup does not run.',
  });
  const after = textField({ label: 'After a successful backup', field: 'hooks.after' });
  const fail = textField({ label: 'After a failed backup', field: 'hooks.fail' });
  const timeout = textField({
    label: 'Stop a command after',
    field: 'hooks.timeoutSeconds',
    numeric: true,
    unit: 'seconds',
  });
  const where = h('p', { class: 'row settings-file' });

  const element = h(
    'div',
    { class: 'page-body', id: 'advanced' },
    group({ title: 'Copying' }, list(acls.wrapper, xattrs.wrapper, fakeSuper.wrapper)),
    group({ title: 'ssh' }, list(knownHosts.wrapper, sshConfig.wrapper)),
    group(
      {
        id: 'hooks',
        title: 'Hooks',
        description:
          'Shell commands run on this computer. They see SNAPTRAY_PROFILE, SNAPTRAY_SNAPSHOT, SNAPTRAY_STATUS, SNAPTRAY_EXIT_CODE and SNAPTRAY_DEST.',
      },
      list(pre.wrapper, after.wrapper, fail.wrapper, timeout.wrapper),
    ),
    group({ title: 'Settings file' }, list(where)),
  );
  for (const input of element.querySelectorAll('input')) {
    input.addEventListener('input', () => ctx.changed());
  }

  const optional = (input: HTMLInputElement) => input.value.trim() || null;
  return {
    element,
    show(profile: Profile) {
      acls.input.checked = profile.rsync.acls;
      xattrs.input.checked = profile.rsync.xattrs;
      fakeSuper.input.checked = profile.rsync.fakeSuper;
      knownHosts.input.value = profile.ssh.knownHostsFile ?? '';
      sshConfig.input.value = profile.ssh.configFile ?? '';
      pre.input.value = profile.hooks.pre;
      after.input.value = profile.hooks.after;
      fail.input.value = profile.hooks.fail;
      showNumber(timeout.input, profile.hooks.timeoutSeconds);
    },
    collect() {
      return {
        rsync: {
          acls: acls.input.checked,
          xattrs: xattrs.input.checked,
          fakeSuper: fakeSuper.input.checked,
        },
        ssh: {
          knownHostsFile: optional(knownHosts.input),
          configFile: optional(sshConfig.input),
        },
        hooks: {
          pre: pre.input.value,
          after: after.input.value,
          fail: fail.input.value,
          timeoutSeconds: readNumber(timeout.input),
        },
      };
    },
    describeFile(loaded) {
      where.replaceChildren(
        loaded.exists ? 'Saved in ' : 'Not saved yet; saving creates ',
        h('code', {}, loaded.path),
      );
    },
  };
}
