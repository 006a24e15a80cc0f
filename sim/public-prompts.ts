import { simHashToHex } from './simhash';
import { worldBenchmarks } from './world';

/**
 * The list of public prompts a platform team would keep: the fingerprints of every public
 * benchmark's items, as the gateway hashes them (`promptHash`). Public text, so the same for every
 * world, tuning or held out; the policy reads it through `publicPrompts.file`
 * (config/public-prompts.txt is this text, written by `cauterize policy public-prompts`).
 * Popular prompts ("write me a cover letter") are not listed: nobody publishes them as a dataset,
 * and the census of public prompts finds them by their spread.
 */
export function publicPromptList(): { readonly text: string; readonly count: number } {
  const benchmarks = worldBenchmarks();
  let count = 0;
  const lines = [
    '# Public prompts: fingerprints (promptHash, 64-bit SimHash as 16 hex digits) of the items of',
    '# public benchmarks. A request opening with one of these (within publicPrompts.maxDistance bits)',
    '# counts no extraction evidence and exposes no template for linking.',
    '# Written by `npx cauterize policy public-prompts --out config/public-prompts.txt` from the',
    "# simulator's public benchmarks; on a real platform, hash the public datasets with the gateway's",
    '# promptHash and list them here.',
  ];
  for (const benchmark of benchmarks) {
    lines.push('', `# ${benchmark.id} (${benchmark.capability}, ${benchmark.items.length} items)`);
    for (const item of benchmark.items) lines.push(simHashToHex(item.hash));
    count += benchmark.items.length;
  }
  return { text: `${lines.join('\n')}\n`, count };
}
