import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ANCHOR_PREFIX, type ChainAnchorStore } from '../lambdas/core/cases/chain-anchor';

/**
 * Chain anchors in a local folder standing in for the archive bucket: `DIR/anchors/<key>.json`,
 * keys as in S3 (newest first). Each file is written beside its place and renamed in, never over
 * another, then made read-only. A folder is not Object Lock: whoever controls it can replace the
 * anchors too. It serves trying verification offline, and tests; in AWS the bucket holds them.
 */
export class DirectoryChainAnchors implements ChainAnchorStore {
  public constructor(private readonly directory: string) {}

  public async put(key: string, text: string, _retainUntil: Date): Promise<{ readonly location: string }> {
    const target = join(this.directory, key);
    await mkdir(dirname(target), { recursive: true });
    const existing = await this.keys();
    if (existing.includes(key))
      throw new Error(`an anchor is already at ${target}: anchors are never overwritten`);
    const partial = `${target}.partial-${process.pid}`;
    await writeFile(partial, text, { flag: 'wx', mode: 0o444 });
    await rename(partial, target);
    await chmod(target, 0o444);
    return { location: target };
  }

  public async latest(): Promise<{ readonly key: string; readonly text: string } | undefined> {
    const [key] = await this.keys();
    if (key === undefined) return undefined;
    return { key, text: await readFile(join(this.directory, key), 'utf8') };
  }

  /** Keys of the anchors present, newest first. */
  private async keys(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(join(this.directory, ANCHOR_PREFIX));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => `${ANCHOR_PREFIX}${name}`);
  }
}
