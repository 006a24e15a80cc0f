import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** Peak memory of a command and every process it starts, sampled from /proc (Linux). */
export interface TreeMemoryResult {
  /** Highest sum of resident set sizes over the process tree, in bytes. */
  readonly peakRssBytes: number;
  /** Highest resident set size of any single process of the tree, in bytes. */
  readonly peakSingleRssBytes: number;
  /**
   * The same two peaks counting anonymous memory only (RssAnon: heaps, buffers), not the pages of
   * files a process maps: LevelDB (kinesalite on disk) maps its table files, and those pages
   * count as resident although the kernel can drop them at any time.
   */
  readonly peakAnonRssBytes: number;
  readonly peakSingleAnonRssBytes: number;
  /** Highest resident set size of each process of the tree, by "pid script args" (see label()). */
  readonly peakByProcess: Readonly<Record<string, number>>;
  /**
   * The tree's resident set sizes every `timelineSeconds`, by process as in peakByProcess: shows
   * which process grows as the run goes on.
   */
  readonly timeline: readonly TimelineSample[];
  readonly seconds: number;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TimelineSample {
  readonly seconds: number;
  readonly rssBytes: number;
  readonly anonRssBytes: number;
  readonly byProcess: Readonly<Record<string, { readonly rssBytes: number; readonly anonRssBytes: number }>>;
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

/**
 * "pid script args" of a process: every Node process is `node` to /proc/PID/stat, so the label
 * names the script it runs (cauterize.js replay, emulator-process.js 100 dynamodb) instead.
 */
async function label(p: ProcInfo): Promise<string> {
  let argv: string[] = [];
  try {
    argv = (await readFile(`/proc/${p.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  } catch {
    // The process ended: fall back to its command name.
  }
  const script = argv.findIndex((arg, i) => i > 0 && /\.[cm]?[jt]s$/.test(arg));
  if (script < 0) return `${p.pid} ${p.command}`;
  // Short arguments after the script (a subcommand, a mode), not paths.
  const args = argv.slice(script + 1, script + 3).filter((arg) => arg.length <= 20 && !arg.includes('/'));
  return [p.pid, basename(argv[script] as string), ...args].join(' ');
}

/** RssAnon of a process, from /proc/PID/status; 0 if it has ended. */
async function anonRssBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^RssAnon:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
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
  options: {
    readonly cwd?: string;
    readonly intervalMs?: number;
    readonly env?: NodeJS.ProcessEnv;
    /** @default 30 */
    readonly timelineSeconds?: number;
  } = {},
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
  let peakAnonRssBytes = 0;
  let peakSingleAnonRssBytes = 0;
  const peakByProcess: Record<string, number> = {};
  const timeline: TimelineSample[] = [];
  const labels = new Map<number, string>();
  const timelineMs = (options.timelineSeconds ?? 30) * 1000;
  let nextSampleAt = 0;
  let last: TimelineSample | undefined;
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const sampler = (async () => {
    while (!done) {
      const tree = treeOf(child.pid ?? -1, await readProcesses());
      const anon = await Promise.all(tree.map((p) => anonRssBytes(p.pid)));
      const sum = tree.reduce((total, p) => total + p.rssBytes, 0);
      const anonSum = anon.reduce((total, bytes) => total + bytes, 0);
      peakRssBytes = Math.max(peakRssBytes, sum);
      peakAnonRssBytes = Math.max(peakAnonRssBytes, anonSum);
      const byProcess: Record<string, { rssBytes: number; anonRssBytes: number }> = {};
      for (const [i, p] of tree.entries()) {
        peakSingleRssBytes = Math.max(peakSingleRssBytes, p.rssBytes);
        peakSingleAnonRssBytes = Math.max(peakSingleAnonRssBytes, anon[i] ?? 0);
        if (!labels.has(p.pid)) {
          // Between fork and exec a child still shows its parent's command line: label it later.
          const text = await label(p);
          const parent = labels.get(p.ppid);
          if (parent && text.slice(text.indexOf(' ')) === parent.slice(parent.indexOf(' '))) continue;
          labels.set(p.pid, text);
        }
        const key = labels.get(p.pid) as string;
        peakByProcess[key] = Math.max(peakByProcess[key] ?? 0, p.rssBytes);
        byProcess[key] = { rssBytes: p.rssBytes, anonRssBytes: anon[i] ?? 0 };
      }
      const elapsedMs = performance.now() - started;
      const sample = {
        seconds: Math.round(elapsedMs / 1000),
        rssBytes: sum,
        anonRssBytes: anonSum,
        byProcess,
      };
      if (sum > 0) last = sample;
      if (elapsedMs >= nextSampleAt) {
        timeline.push(sample);
        nextSampleAt += timelineMs;
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  })();
  const exitCode = await exited;
  done = true;
  await sampler;
  // The tree as last seen before it exited (results written, emulators still up).
  if (last && timeline.at(-1) !== last) timeline.push(last);
  return {
    peakRssBytes,
    peakSingleRssBytes,
    peakAnonRssBytes,
    peakSingleAnonRssBytes,
    peakByProcess,
    timeline,
    seconds: (performance.now() - started) / 1000,
    exitCode,
    stdout,
    stderr,
  };
}
