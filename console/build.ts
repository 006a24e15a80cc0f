import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
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
  // Built beside the target and renamed into place file by file, so a console serving (or a test
  // building) at the same time never reads a half-written bundle.
  const staging = `${outDir}.building-${process.pid}`;
  mkdirSync(join(staging, 'assets'), { recursive: true });
  try {
    await build({
      entryPoints: [join(CONSOLE_WEB_DIR, 'main.ts')],
      outfile: join(staging, 'assets', 'app.js'),
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
      outfile: join(staging, 'assets', 'app.css'),
      bundle: true,
      minify: true,
      logLevel: 'warning',
    });
    copyFileSync(join(CONSOLE_WEB_DIR, 'index.html'), join(staging, 'index.html'));
    mkdirSync(join(outDir, 'assets'), { recursive: true });
    for (const file of ['assets/app.js', 'assets/app.js.LEGAL.txt', 'assets/app.css', 'index.html']) {
      renameSync(join(staging, file), join(outDir, file));
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
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
