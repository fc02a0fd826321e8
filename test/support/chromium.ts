/** Debian's Chromium driven by playwright-core, as /work/shared/docs/testing.md describes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface Chromium {
  context: BrowserContext;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

export interface ChromiumOptions {
  /**
   * The language the windows run in, which sets how they write dates and times: British English
   * unless a test asks for another (day month year, a 24-hour clock).
   */
  locale?: string;
  /** Device pixels per CSS pixel: 2 is what a 200 % page zoom gives (a window half as wide). */
  deviceScaleFactor?: number;
}

export async function launchChromium(options: ChromiumOptions = {}): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), 'st-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: options.locale ?? 'en-GB',
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
    viewport: { width: 1100, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
