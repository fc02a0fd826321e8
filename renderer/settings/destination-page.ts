/** Where snapshots go: a local folder, or a router or NAS over ssh, and the connection test. */
import type { FieldError, Profile } from '../../core/settings/schema.js';
import {
  button,
  disclosure,
  errorSlot,
  group,
  h,
  list,
  radioRow,
  readNumber,
  showNumber,
  textField,
  uniqueId,
} from '../shared/dom.js';
import { createConnectionPanel } from './connection-report.js';
import { joinDestination, splitDestination } from './destination-fields.js';
import type { Part, PartContext } from './part.js';
import { routerHelp } from './router-help.js';

export function createDestinationPage(ctx: PartContext): Part {
  const kindName = uniqueId('kind');
  const sshRadio = radioRow(kindName, 'ssh', 'A router or NAS over ssh');
  const localRadio = radioRow(kindName, 'local', 'A folder on this computer');
  for (const r of [sshRadio, localRadio]) {
    r.input.addEventListener('change', () => {
      updateKind();
      connection.clear();
      ctx.changed();
    });
  }
  const kind = group(
    {
      title: 'Back up to',
      description:
        'Snapshots go to a folder on this computer (such as a USB disk) or to a router or NAS over ssh.',
    },
    list(sshRadio.wrapper, localRadio.wrapper),
  );

  const chooseLocal = button('Choose…', () => void pickLocal(), {
    'aria-label': 'Choose the destination folder',
  });
  const localFolder = textField({
    label: 'Folder',
    field: 'destination.local',
    placeholder: '/media/backup/snapshots',
    hint: 'An absolute path on a mounted disk.',
    actions: [chooseLocal],
  });
  const localPanel = group({ title: 'Folder on this computer' }, list(localFolder.wrapper));

  const fillIn = button('Fill in', () => void fillFromCommand(), {
    'aria-label': 'Fill in the fields from the ssh command',
  });
  const command = textField({
    label: 'Paste an ssh command',
    field: 'sshCommand',
    placeholder: 'ssh -i ~/.ssh/id_ed25519 -p 2222 admin@192.168.1.1',
    hint: 'The command you use to log in to the router; it is split into the fields below.',
    actions: [fillIn],
  });
  command.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void fillFromCommand();
    }
  });
  const user = textField({ label: 'User', field: 'destination.user', placeholder: 'admin' });
  const host = textField({
    label: 'Host',
    field: 'destination.host',
    placeholder: '192.168.1.1 or router.lan',
  });
  const port = textField({
    label: 'Port',
    field: 'ssh.port',
    placeholder: '22',
    numeric: true,
    layout: 'stacked',
  });
  const remoteFolder = textField({
    label: 'Folder on the router',
    field: 'destination.path',
    placeholder: '/mnt/sda1/backups',
    hint: 'With a key restricted by rrsync, paths start at rrsync’s folder: use "/".',
  });
  const chooseKey = button('Choose…', () => void pickKey(), {
    'aria-label': 'Choose the key file',
  });
  const keyFile = textField({
    label: 'Key file',
    field: 'ssh.identityFile',
    placeholder: '/home/you/.ssh/id_ed25519',
    hint: 'The private key to log in with; empty uses your usual ssh keys.',
    actions: [chooseKey],
  });
  const rsyncPath = textField({
    label: 'rsync on the router',
    field: 'ssh.rsyncPath',
    placeholder: '/opt/bin/rsync',
    hint: 'Where rsync lives when ssh commands on the router do not find it (Entware: /opt/bin/rsync). Empty: rsync on the router’s PATH.',
  });
  const destinationError = errorSlot('destination');
  const sshPanel = group(
    { title: 'Router or NAS' },
    list(
      command.wrapper,
      h('div', { class: 'row split' }, user.wrapper, host.wrapper, port.wrapper),
      remoteFolder.wrapper,
      keyFile.wrapper,
    ),
    disclosure('More router settings', list(rsyncPath.wrapper)),
    routerHelp(),
  );

  const prefix = textField({
    label: 'Prefix',
    field: 'prefix',
    hint: 'Snapshots are named PREFIX-YYYY-MM-DD-HHMMSS. Keep it if you rename this computer, so new snapshots still link to the old ones.',
  });
  const connection = createConnectionPanel(
    ctx,
    isSsh,
    () => joinDestination(currentFields()) || 'the folder',
    (path) => {
      rsyncPath.input.value = path;
      ctx.changed();
    },
  );

  const element = h(
    'div',
    { class: 'page-body', id: 'destination' },
    kind,
    sshPanel,
    localPanel,
    destinationError,
    group({ title: 'Snapshot names' }, list(prefix.wrapper)),
    group({ title: 'Connection' }, connection.element),
  );
  // Errors about the composed destination show under the fields it is made of.
  for (const input of [localFolder.input, user.input, host.input, remoteFolder.input]) {
    input.setAttribute(
      'aria-describedby',
      `${input.getAttribute('aria-describedby') ?? ''} ${destinationError.id}`.trim(),
    );
    input.dataset.field = 'destination';
  }

  function isSsh(): boolean {
    return sshRadio.input.checked;
  }

  function updateKind(): void {
    sshPanel.hidden = !isSsh();
    localPanel.hidden = isSsh();
  }

  function currentFields() {
    return isSsh()
      ? {
          kind: 'ssh' as const,
          user: user.input.value,
          host: host.input.value,
          path: remoteFolder.input.value,
        }
      : { kind: 'local' as const, path: localFolder.input.value };
  }

  async function pickLocal(): Promise<void> {
    const path = await ctx.api.pick({
      kind: 'folder',
      title: 'Choose the folder for snapshots',
      ...(localFolder.input.value ? { defaultPath: localFolder.input.value } : {}),
    });
    if (path === null) return;
    localFolder.input.value = path;
    ctx.changed();
  }

  async function pickKey(): Promise<void> {
    const path = await ctx.api.pick({ kind: 'file', title: 'Choose the ssh key file' });
    if (path === null) return;
    keyFile.input.value = path;
    ctx.changed();
  }

  const commandError = command.wrapper.querySelector<HTMLElement>('[data-error-for]');
  async function fillFromCommand(): Promise<void> {
    const text = command.input.value.trim();
    if (text === '') return;
    const parsed = await ctx.api.parseSshCommand(text);
    if (commandError) {
      commandError.hidden = parsed.ok;
      commandError.textContent = parsed.ok ? '' : parsed.message;
    }
    if (!parsed.ok) {
      command.input.setAttribute('aria-invalid', 'true');
      return;
    }
    command.input.removeAttribute('aria-invalid');
    user.input.value = parsed.value.user ?? '';
    host.input.value = parsed.value.host;
    showNumber(port.input, parsed.value.port);
    if (parsed.value.identityFile !== null) keyFile.input.value = parsed.value.identityFile;
    connection.clear();
    ctx.changed();
    remoteFolder.input.focus();
  }

  for (const input of element.querySelectorAll<HTMLInputElement>('input[data-field]')) {
    if (input === command.input) continue;
    input.addEventListener('input', () => ctx.changed());
  }

  return {
    element,
    show(profile: Profile) {
      const fields = profile.destination === '' ? null : splitDestination(profile.destination);
      const ssh = fields === null || fields.kind === 'ssh';
      sshRadio.input.checked = ssh;
      localRadio.input.checked = !ssh;
      localFolder.input.value = fields?.kind === 'local' ? fields.path : '';
      user.input.value = fields?.kind === 'ssh' ? fields.user : '';
      host.input.value = fields?.kind === 'ssh' ? fields.host.replace(/^\[(.*)\]$/, '$1') : '';
      remoteFolder.input.value = fields?.kind === 'ssh' ? fields.path : '';
      showNumber(port.input, profile.ssh.port);
      keyFile.input.value = profile.ssh.identityFile ?? '';
      rsyncPath.input.value = profile.ssh.rsyncPath ?? '';
      prefix.input.value = profile.prefix;
      command.input.value = '';
      updateKind();
      connection.clear();
    },
    collect() {
      const optional = (input: HTMLInputElement) => input.value.trim() || null;
      return {
        destination: joinDestination(currentFields()),
        prefix: prefix.input.value.trim(),
        ssh: {
          port: readNumber(port.input, true),
          identityFile: optional(keyFile.input),
          rsyncPath: optional(rsyncPath.input),
        },
      };
    },
    problems(): FieldError[] {
      const f = currentFields();
      if (
        f.kind === 'ssh' &&
        f.host.trim() === '' &&
        (f.user.trim() !== '' || f.path.trim() !== '')
      ) {
        return [
          { path: 'destination', message: 'enter the host name or IP address of the router' },
        ];
      }
      if (f.kind === 'ssh' && f.host.trim() !== '' && f.path.trim() === '') {
        return [
          {
            path: 'destination',
            message: 'enter the folder on the router, such as /mnt/sda1/backups',
          },
        ];
      }
      return [];
    },
  };
}
