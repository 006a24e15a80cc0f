import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeSimulation } from '../sim';
import type { GroundTruth } from '../sim';

export interface TrafficFile {
  readonly file: string;
  readonly truthFile: string;
  readonly bytes: number;
}

/** The simulator's labelled traffic for (scale, seed), written once into `workDir` and reused. */
export async function simulatedTraffic(workDir: string, scale: number, seed: number): Promise<TrafficFile> {
  const file = join(workDir, `sim-s${scale}-seed${seed}.jsonl`);
  const truthFile = join(workDir, `sim-s${scale}-seed${seed}.truth.json`);
  if (!existsSync(file) || !existsSync(truthFile)) {
    await writeSimulation(file, truthFile, { seed, scale, preset: 'default' });
  }
  return { file, truthFile, bytes: (await stat(file)).size };
}

export async function readTruth(truthFile: string): Promise<GroundTruth> {
  return JSON.parse(await readFile(truthFile, 'utf8')) as GroundTruth;
}

/**
 * The simulator scale, rounded up to a tenth, whose traffic holds `bytes`, given the traffic at
 * `scale`: the file grows about in proportion to the scale (the accounts are scaled, the week is
 * not), so 2% of margin covers the cohorts whose counts do not scale.
 */
export function scaleFor(bytes: number, traffic: TrafficFile, scale: number): number {
  return Math.ceil(((scale * bytes * 1.02) / traffic.bytes) * 10) / 10;
}

/**
 * The first `bytes` bytes of a JSON Lines file, cut at a line end: the traffic's first hours, in
 * timestamp order. Written once into `workDir` and reused; named after the source, so prefixes of
 * traffic of another scale or seed are never mixed up.
 */
export async function prefixFile(source: string, bytes: number, workDir: string): Promise<TrafficFile> {
  const file = join(workDir, `${basename(source, '.jsonl')}-prefix-${Math.round(bytes / 1e6)}MB.jsonl`);
  if (!existsSync(file)) {
    const size = (await stat(source)).size;
    if (size < bytes) {
      throw new Error(
        `the traffic file ${source} has ${size.toLocaleString('en')} bytes, fewer than the ` +
          `${bytes.toLocaleString('en')} asked for: raise --scale`,
      );
    }
    const input = await open(source, 'r');
    const output = await open(file, 'w');
    try {
      const chunk = Buffer.alloc(8 * 1024 * 1024);
      let position = 0;
      while (position < bytes) {
        const { bytesRead } = await input.read(chunk, 0, Math.min(chunk.length, bytes - position), position);
        if (bytesRead === 0) break;
        let slice = chunk.subarray(0, bytesRead);
        position += bytesRead;
        if (position >= bytes) slice = slice.subarray(0, slice.lastIndexOf(0x0a) + 1);
        await output.write(slice);
      }
    } finally {
      await input.close();
      await output.close();
    }
  }
  return { file, truthFile: '', bytes: (await stat(file)).size };
}
