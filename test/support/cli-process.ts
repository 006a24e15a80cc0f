import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The project's root, where `bin/cauterize.js` runs from (cdk needs the lockfile there). */
export const PROJECT_ROOT = join(__dirname, '..', '..');

export interface CliProcess {
  readonly child: ChildProcess;
  /** What it wrote so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or 128 + the signal's number) once it exits. */
  readonly exited: Promise<number>;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/**
 * Runs `npx cauterize ...` as a user does, in a process of its own, with `env` added to the
 * environment (TMPDIR, say, so that what it leaves behind can be found).
 */
export function startCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): CliProcess {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cauterize.js'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? 128 + (SIGNAL_NUMBERS[signal ?? ''] ?? 0)));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `check` every 20 ms until it is true; fails after `timeoutMs`, naming `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Processes (Linux /proc) whose environment holds `NAME=value`: those a CLI run started with that
 * variable, its emulator processes included, still alive.
 */
export function processesWithEnv(name: string, value: string): Array<{ pid: number; command: string }> {
  const needle = `\0${name}=${value}\0`;
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = `\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`;
      if (!environ.includes(needle)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // The process ended while being read, or is not ours to read.
    }
  }
  return found;
}

/** Live child processes of `ppid` (Linux /proc) whose command line contains `commandPart`. */
export function childProcesses(ppid: number, commandPart: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== ppid || fields[0] === 'Z') continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      if (command.includes(commandPart)) pids.push(Number(entry));
    } catch {
      // Ended while being read.
    }
  }
  return pids;
}
