/**
 * The app's entry. `snaptray backup …` (any CLI subcommand) runs the CLI headless, before any
 * display API is touched, so cron keeps working; otherwise the tray app starts.
 */
import { hostname } from 'node:os';
import { app } from 'electron';
import { cliArguments } from './cli-entry.js';

const cli = cliArguments(process.argv, process.defaultApp === true);
if (cli !== null) {
  const { main } = await import('../core/cli/main.js');
  const code = await main(cli, { stdout: process.stdout, stderr: process.stderr }, process.env);
  app.exit(code);
} else {
  const [{ startApp }, { systemClock }, { spawnProcess }, { createNotifySendSink }, store] =
    await Promise.all([
      import('./start-app.js'),
      import('./tray/tray-app.js'),
      import('../core/process.js'),
      import('./shared/notifier.js'),
      import('../core/settings/store.js'),
    ]);
  // Loaded here, not at the top: electron-store is only needed once the tray starts.
  const { default: Store } = await import('electron-store');
  const started = await startApp({
    env: process.env,
    clock: systemClock,
    spawn: spawnProcess,
    hostname: hostname(),
    notify: createNotifySendSink(),
    argv: process.argv,
    openBackend: async (path) => {
      const options = store.storeOptions(path);
      return new Store<Record<string, unknown>>({ ...options, name: options.configName });
    },
  });
  // A session ending may signal the app instead of quitting it: quit the same careful way, which
  // stops a running backup first (start-app.ts, before-quit).
  if (started.kind === 'running') {
    for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
      process.on(signal, () => app.quit());
    }
  }
}
