import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium package puts it here; CAUTERIZE_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.CAUTERIZE_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a headless Chromium on a shared, offline machine: nothing phones home, no GPU. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HeadlessBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium through playwright-core, with a fresh user data dir. A missing browser fails
 * the run with how to install it; the console's browser tests never skip.
 */
export async function launchChromium(): Promise<HeadlessBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the console's browser tests need it. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (Debian/Ubuntu), or set CAUTERIZE_CHROMIUM ' +
        'to a Chromium or Chrome binary.',
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'cauterize-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 1000 },
      timeout: 30_000,
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
