/** Whether this machine runs on battery, from the kernel's power supply folder. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * True when the machine has a mains supply and none of them is online. A machine without one (a
 * desktop, a virtual machine) never runs on battery.
 */
export async function onBatteryPower(root = '/sys/class/power_supply'): Promise<boolean> {
  const names = await readdir(root).catch(() => [] as string[]);
  let mains = 0;
  for (const name of names) {
    const type = await readFile(join(root, name, 'type'), 'utf8').catch(() => '');
    if (type.trim() !== 'Mains') continue;
    mains++;
    const online = await readFile(join(root, name, 'online'), 'utf8').catch(() => '');
    if (online.trim() === '1') return false;
  }
  return mains > 0;
}
