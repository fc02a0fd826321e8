/** "Setting up the router": closed until the user opens it. */
import { disclosure, h } from '../shared/dom.js';

export function routerHelp(): HTMLDetailsElement {
  const help = disclosure(
    'Setting up the router',
    h(
      'p',
      {},
      'Snaptray needs only rsync on the router (Entware: ',
      h('code', {}, 'opkg install rsync'),
      '). Add this computer’s public key to the router’s ',
      h('code', {}, '~/.ssh/authorized_keys'),
      ' (Dropbear: ',
      h('code', {}, '/etc/dropbear/authorized_keys'),
      '), for example with ',
      h('code', {}, 'ssh-copy-id -i ~/.ssh/id_ed25519.pub admin@192.168.1.1'),
      '.',
    ),
    h(
      'p',
      {},
      'To let the key do nothing but rsync into one folder, put rrsync in front of it in authorized_keys:',
    ),
    h('pre', {}, 'command="rrsync /mnt/sda1/backups",restrict ssh-ed25519 AAAA… you@laptop'),
    h(
      'p',
      {},
      'Then set the folder above to "/": rrsync starts paths at its own folder. Add ',
      h('code', {}, '-no-del'),
      ' only if you accept that old snapshots are never pruned.',
    ),
  );
  help.classList.add('help');
  return help;
}
