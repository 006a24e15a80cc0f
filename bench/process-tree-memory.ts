import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** Peak memory of a command and every process it starts, sampled from /proc (Linux). */
export interface TreeMemoryResult {
  /** Highest sum of resident set sizes over the process tree, in bytes. */
  readonly peakRssBytes: number;
  /** Highest resident set size of any single process of the tree, in bytes. */
  readonly peakSingleRssBytes: number;
  /** Highest resident set size of each process of the tree, by "pid command". */
  readonly peakByProcess: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly rssBytes: number;
  readonly command: string;
}

const PAGE_BYTES = 4096;

async function readProcesses(): Promise<ProcInfo[]> {
  const entries = await readdir('/proc');
  const infos: ProcInfo[] = [];
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        try {
          const stat = await readFile(`/proc/${name}/stat`, 'utf8');
          // Fields after the command name (which may hold spaces) start after the last ')'.
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          infos.push({
            command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
            pid: Number(name),
            ppid: Number(fields[1]),
            rssBytes: Number(fields[21]) * PAGE_BYTES,
          });
        } catch {
          // The process ended between readdir and readFile.
        }
      }),
  );
  return infos;
}

function treeOf(root: number, processes: readonly ProcInfo[]): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const stack = processes.filter((p) => p.pid === root);
  while (stack.length > 0) {
    const next = stack.pop() as ProcInfo;
    out.push(next);
    stack.push(...(children.get(next.pid) ?? []));
  }
  return out;
}

/** Runs `command args` and samples the memory of its whole process tree every `intervalMs`. */
export async function runMeasuringMemory(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly intervalMs?: number; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<TreeMemoryResult> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-20_000)));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  let peakRssBytes = 0;
  let peakSingleRssBytes = 0;
  const peakByProcess: Record<string, number> = {};
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const sampler = (async () => {
    while (!done) {
      const tree = treeOf(child.pid ?? -1, await readProcesses());
      const sum = tree.reduce((total, p) => total + p.rssBytes, 0);
      peakRssBytes = Math.max(peakRssBytes, sum);
      for (const p of tree) {
        peakSingleRssBytes = Math.max(peakSingleRssBytes, p.rssBytes);
        const key = `${p.pid} ${p.command}`;
        peakByProcess[key] = Math.max(peakByProcess[key] ?? 0, p.rssBytes);
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  })();
  const exitCode = await exited;
  done = true;
  await sampler;
  return {
    peakRssBytes,
    peakSingleRssBytes,
    peakByProcess,
    seconds: (performance.now() - started) / 1000,
    exitCode,
    stdout,
    stderr,
  };
}
