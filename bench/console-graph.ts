import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsole } from '../cli/commands/console';
import { buildConsole } from '../console/build';
import { launchChromium } from '../test/support/console-browser';
import { LARGE_CLUSTER_CASE_ID, writeLargeClusterStore } from '../test/support/large-cluster';

export interface ConsoleGraphFigures {
  readonly members: number;
  readonly links: number;
  readonly edges: number;
  /** Layout and first render in the browser (performance.now), one figure per page load. */
  readonly drawMs: readonly number[];
}

/**
 * Draws a `size`-member cluster case in the console, in headless Chromium, `runs` times (a fresh
 * page load each), and returns the draw times the page measured around layout and first render.
 */
export async function measureConsoleGraph(size = 400, runs = 5): Promise<ConsoleGraphFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'cauterize-console-bench-'));
  await buildConsole();
  const browser = await launchChromium();
  try {
    await writeLargeClusterStore(dir, size);
    const running = await startConsole({ local: dir, role: 'investigator', actor: 'bench' });
    try {
      const page = await browser.context.newPage();
      const drawMs: number[] = [];
      let drawn: Record<string, string> = {};
      for (let i = 0; i < runs; i++) {
        await page.goto(`${running.url}#/cases/${LARGE_CLUSTER_CASE_ID}`);
        await page.locator('#graph[data-ready="true"]').waitFor({ timeout: 60_000 });
        drawn = await page.$eval('#graph', (g) => ({
          ...(g as unknown as { dataset: Record<string, string> }).dataset,
        }));
        drawMs.push(Number(drawn.drawMs));
        if (process.env.CAUTERIZE_BENCH_DEBUG)
          process.stdout.write(
            `prep ${drawn.prepMs} ms, layout ${drawn.layoutMs} ms, draw ${drawn.drawMs} ms\n`,
          );
        await page.goto('about:blank');
      }
      return {
        members: Number(drawn.members),
        links: Number(drawn.links),
        edges: Number(drawn.edges),
        drawMs,
      };
    } finally {
      await running.close();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatConsoleGraph(f: ConsoleGraphFigures): string {
  const sorted = [...f.drawMs].sort((a, b) => a - b);
  return (
    `console graph, ${f.members} members, ${f.links} shared links, ${f.edges} edges: layout + first render ` +
    `${sorted.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, ` +
    `target < 1000 ms), headless Chromium`
  );
}

if (require.main === module) {
  const size = Number(process.argv[2] ?? 400);
  measureConsoleGraph(size).then(
    (f) => process.stdout.write(`${formatConsoleGraph(f)}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
