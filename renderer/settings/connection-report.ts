/** The result of "Test connection", step by step in words, with the action each failure offers. */
import type { CheckStep, CheckStepName } from '../../core/destination/check.js';
import type { ApiResult, ConnectionReport, HostKeyOffer } from '../../electron/ipc/contract.js';
import { button, h, uniqueId } from '../shared/dom.js';
import type { PartContext } from './part.js';

const STEP_TITLES: Record<CheckStepName, string> = {
  folder: 'Folder exists',
  reachable: 'Host reached',
  'host-key': 'Host key',
  authentication: 'Logged in',
  rsync: 'rsync on the far side',
  marker: 'Destination marker',
  owner: 'Prefix belongs to this profile',
  writable: 'Folder writable',
  'hard-links': 'Hard links work',
  ownership: 'Owners and groups',
};

const SSH_STEPS: CheckStepName[] = [
  'reachable',
  'host-key',
  'authentication',
  'rsync',
  'marker',
  'owner',
  'writable',
  'hard-links',
  'ownership',
];
const LOCAL_STEPS: CheckStepName[] = [
  'folder',
  'rsync',
  'marker',
  'owner',
  'writable',
  'hard-links',
  'ownership',
];

export interface ConnectionPanel {
  element: HTMLElement;
  /** Runs the engine's check on the profile as edited. */
  test(): Promise<void>;
  clear(): void;
}

export function createConnectionPanel(
  ctx: PartContext,
  isSsh: () => boolean,
  destinationLabel: () => string,
  /** Puts a path into the "rsync on the router" field. */
  useRsyncPath: (path: string) => void = () => undefined,
): ConnectionPanel {
  const status = h('p', { class: 'status', role: 'status' });
  const results = h('div', { class: 'connection-results' });
  const testButton = button('Test connection', () => void test());
  const element = h(
    'div',
    { class: 'connection' },
    h('div', { class: 'actions' }, testButton, status),
    results,
  );

  async function run(label: string, call: () => Promise<void>): Promise<void> {
    testButton.disabled = true;
    element.setAttribute('aria-busy', 'true');
    status.textContent = label;
    try {
      await call();
    } finally {
      testButton.disabled = false;
      element.removeAttribute('aria-busy');
    }
  }

  async function test(): Promise<void> {
    await run('Testing the connection…', async () => {
      const result = await ctx.api.testConnection(ctx.draft());
      if (!result.ok) {
        results.replaceChildren(h('p', { class: 'message bad' }, result.message));
        status.textContent = 'The connection could not be tested.';
        return;
      }
      render(result.value);
    });
  }

  function render(report: ConnectionReport): void {
    const allOk = report.steps.length > 0 && report.steps.every((s) => s.ok);
    status.textContent = allOk
      ? 'Everything a backup needs is in place.'
      : 'The destination is not ready yet: see below.';
    const expected = isSsh() ? SSH_STEPS : LOCAL_STEPS;
    const seen = new Map(report.steps.map((s) => [s.step, s]));
    const failed = report.steps.find((s) => !s.ok);
    const list = h('ol', { class: 'steps', 'aria-label': 'Connection test steps' });
    for (const name of expected) list.appendChild(stepItem(name, seen.get(name)));
    results.replaceChildren(list);
    if (failed?.kind === 'host-key-changed') results.appendChild(changedKeyWarning(failed));
    else if (report.hostKey) results.appendChild(hostKeyOffer(report.hostKey));
    if (report.canInitialise) results.appendChild(initialiseOffer());
    if (report.canAdopt) results.appendChild(adoptOffer());
    const found = seen.get('rsync')?.suggestedRsyncPath;
    if (found !== undefined) results.appendChild(rsyncPathOffer(found));
  }

  function rsyncPathOffer(path: string): HTMLElement {
    const title = h('h3', { id: uniqueId('rsync') }, 'rsync was found elsewhere on the router');
    const use = button(`Use ${path}`, () => {
      useRsyncPath(path);
      void test();
    });
    return h(
      'div',
      { class: 'offer', role: 'region', 'aria-labelledby': title.id },
      title,
      h(
        'p',
        {},
        `ssh commands on the router do not find rsync on their PATH, but it answers at ${path}. ` +
          'Snaptray can call it there (saved as "rsync on the router", under More router settings).',
      ),
      use,
    );
  }

  function stepItem(name: CheckStepName, step: CheckStep | undefined): HTMLLIElement {
    const state = step === undefined ? 'skipped' : step.ok ? 'ok' : 'bad';
    const word = { ok: 'Passed', bad: 'Failed', skipped: 'Not checked' }[state];
    const mark = { ok: '✓', bad: '✗', skipped: '–' }[state];
    return h(
      'li',
      { class: `step ${state}`, 'data-step': name },
      h('span', { class: 'mark', 'aria-hidden': 'true' }, mark),
      h(
        'div',
        {},
        h('strong', {}, `${STEP_TITLES[name]}: `),
        h('span', { class: 'word' }, word),
        h('p', { class: 'step-message' }, step?.message ?? 'Checked once the steps above pass.'),
      ),
    );
  }

  function hostKeyOffer(offer: HostKeyOffer): HTMLElement {
    const title = h('h3', { id: uniqueId('offer') }, 'Trust this host key?');
    const where = offer.port === 22 ? offer.host : `${offer.host} (port ${offer.port})`;
    const trust = button('Trust this key', () => void trustAndRetest());
    async function trustAndRetest(): Promise<void> {
      let trusted = false;
      await run('Trusting the key…', async () => {
        const result = await ctx.api.trustHostKey({
          host: offer.host,
          port: offer.port,
          fingerprint: offer.fingerprint,
        });
        if (!result.ok) {
          box.appendChild(h('p', { class: 'message bad', role: 'alert' }, result.message));
          return;
        }
        trusted = true;
      });
      if (trusted) await test();
    }
    const box = h(
      'div',
      { class: 'offer', role: 'region', 'aria-labelledby': title.id },
      title,
      h(
        'p',
        {},
        `${where} presents a ${offer.keyType} key that this computer has not seen before. Its fingerprint is:`,
      ),
      h('p', { class: 'fingerprint' }, h('code', { 'data-fingerprint': '' }, offer.fingerprint)),
      h(
        'p',
        { class: 'hint' },
        'Compare it with the fingerprint the router itself shows, for example with ',
        h('code', {}, 'ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub'),
        ' (OpenSSH) or ',
        h('code', {}, 'dropbearkey -y -f /opt/etc/dropbear/dropbear_ed25519_host_key'),
        ' (Entware’s Dropbear; /etc/dropbear/ on OpenWrt). Trusting it writes it to Snaptray’s own known_hosts file; your ~/.ssh/known_hosts is not changed.',
      ),
      trust,
    );
    return box;
  }

  function changedKeyWarning(step: CheckStep): HTMLElement {
    return h(
      'div',
      { class: 'alarm', role: 'alert' },
      h('h3', {}, 'Warning: the host key has changed'),
      h('p', {}, step.message),
      h(
        'p',
        {},
        'Snaptray will not connect to this host until the old key is removed by hand. If you did ' +
          'not reinstall the router or change its key, someone may be intercepting the connection.',
      ),
    );
  }

  /** An action that writes to the destination, offered only behind a checkbox the user ticks. */
  function confirmedOffer(offer: {
    key: string;
    title: string;
    explanation: HTMLElement;
    confirmation: string;
    action: string;
    busy: string;
    call: () => Promise<ApiResult<ConnectionReport>>;
  }): HTMLElement {
    const title = h('h3', { id: uniqueId(offer.key) }, offer.title);
    const confirmId = uniqueId('confirm');
    const confirm = h('input', { type: 'checkbox', id: confirmId });
    const go = button(
      offer.action,
      () => {
        void run(offer.busy, async () => {
          const result = await offer.call();
          if (!result.ok) {
            box.appendChild(h('p', { class: 'message bad', role: 'alert' }, result.message));
            return;
          }
          render(result.value);
        });
      },
      { disabled: true },
    );
    confirm.addEventListener('change', () => {
      go.disabled = !confirm.checked;
    });
    const box = h(
      'div',
      { class: 'offer', role: 'region', 'aria-labelledby': title.id },
      title,
      offer.explanation,
      h('div', { class: 'confirm' }, confirm, h('label', { for: confirmId }, offer.confirmation)),
      go,
    );
    return box;
  }

  function initialiseOffer(): HTMLElement {
    return confirmedOffer({
      key: 'init',
      title: 'Set up this folder as a destination?',
      explanation: h(
        'p',
        {},
        'The folder has no .snaptray-destination marker. Either it was never set up, or the disk ' +
          'is not mounted and this is only the empty mount point: backing up there would fill the ' +
          'router’s own storage. Snaptray never writes into a folder without the marker.',
      ),
      confirmation: `I have checked that ${destinationLabel()} is the right folder, on a mounted disk`,
      action: 'Initialise destination',
      busy: 'Initialising the destination…',
      call: () => ctx.api.initialiseDestination(ctx.draft()),
    });
  }

  function adoptOffer(): HTMLElement {
    return confirmedOffer({
      key: 'adopt',
      title: 'Take over these snapshots?',
      explanation: h(
        'p',
        { class: 'hint' },
        'Take them over only if they are yours: after reinstalling, or when this computer replaces ' +
          'the one that made them. From then on this profile links against them and prunes them, ' +
          'and their earlier owner is refused. Otherwise choose another prefix below.',
      ),
      confirmation: 'These snapshots are mine: take them over for this profile',
      action: 'Take over',
      busy: 'Taking the prefix over…',
      call: () => ctx.api.adoptPrefix(ctx.draft()),
    });
  }

  return {
    element,
    test,
    clear() {
      results.replaceChildren();
      status.textContent = '';
    },
  };
}
