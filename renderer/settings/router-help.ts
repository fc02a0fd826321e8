/** "Setting up the router": closed until the user opens it. The README says the same. */
import { disclosure, h } from '../shared/dom.js';

export function routerHelp(): HTMLDetailsElement {
  const help = disclosure(
    'Setting up the router',
    h(
      'p',
      {},
      'Snaptray needs only rsync on the router (Entware: ',
      h('code', {}, 'opkg install rsync'),
      '). Add this computer’s public key to the router’s authorized_keys:',
    ),
    h(
      'ul',
      {},
      h(
        'li',
        {},
        'root on a router with Dropbear: ',
        h('code', {}, '/opt/etc/dropbear/authorized_keys'),
        ' with Entware’s Dropbear, ',
        h('code', {}, '/etc/dropbear/authorized_keys'),
        ' with OpenWrt’s (or the router’s web page);',
      ),
      h(
        'li',
        {},
        'any other user, or an OpenSSH server: ',
        h('code', {}, '~/.ssh/authorized_keys'),
        ' of that user, which ',
        h('code', {}, 'ssh-copy-id -i ~/.ssh/id_ed25519.pub admin@192.168.1.1'),
        ' fills in (add ',
        h('code', {}, '-p 2222'),
        ' for another ssh port). ssh-copy-id logs in with the account’s password; where the router ',
        'allows only key logins, paste the .pub line into its web page instead.',
      ),
    ),
    h(
      'p',
      {},
      'To let the key do nothing but rsync into one folder, first create that folder on the router ',
      '(through such a key nothing can create it), ',
      h('code', {}, 'ssh admin@192.168.1.1 mkdir /mnt/sda1/backups'),
      ', then put rrsync in front of the key in authorized_keys:',
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
