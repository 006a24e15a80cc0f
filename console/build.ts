import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** The console's sources and where the bundle goes (the server serves console/dist). */
export const CONSOLE_WEB_DIR = join(__dirname, 'web');
export const CONSOLE_DIST_DIR = join(__dirname, 'dist');

/**
 * Bundles the console's browser code (TypeScript, Chart.js, Cytoscape.js) into one script and one
 * stylesheet with esbuild, so the console works offline and under a CSP that allows only 'self'.
 * npm ci runs it (prepare); the bundle is not committed.
 */
export async function buildConsole(outDir = CONSOLE_DIST_DIR): Promise<void> {
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  await build({
    entryPoints: [join(CONSOLE_WEB_DIR, 'main.ts')],
    outfile: join(outDir, 'assets', 'app.js'),
    bundle: true,
    minify: !process.env.CAUTERIZE_CONSOLE_DEBUG,
    format: 'iife',
    target: ['es2022'],
    platform: 'browser',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(CONSOLE_WEB_DIR, 'styles.css')],
    outfile: join(outDir, 'assets', 'app.css'),
    bundle: true,
    minify: true,
    logLevel: 'warning',
  });
  copyFileSync(join(CONSOLE_WEB_DIR, 'index.html'), join(outDir, 'index.html'));
}

if (require.main === module) {
  buildConsole().then(
    () => process.stdout.write(`console bundle written to ${CONSOLE_DIST_DIR}\n`),
    (error: unknown) => {
      process.stderr.write(`console build failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
