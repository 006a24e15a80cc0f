/**
 * What must not outlive the process when it is interrupted or fails: emulator processes, their
 * temporary folders, half-written output files. Whoever creates such a thing registers how to undo
 * it and unregisters once it is undone; the CLI runs what is left on SIGINT, SIGTERM, a closed
 * stdout and before exiting (cli/main.ts runCli).
 */

type CleanupTask = () => Promise<void> | void;

const tasks = new Set<CleanupTask>();

/** Registers a task to run if the process stops before it is unregistered; returns the unregister. */
export function registerCleanup(task: CleanupTask): () => void {
  tasks.add(task);
  return () => {
    tasks.delete(task);
  };
}

/** Tasks still registered. */
export function pendingCleanups(): number {
  return tasks.size;
}

/**
 * Runs every registered task once, newest first (what was made last is undone first), each
 * within `timeoutMs`; a task that throws does not stop the others. Returns the errors.
 */
export async function runCleanups(timeoutMs = 10_000): Promise<unknown[]> {
  const errors: unknown[] = [];
  const pending = [...tasks].reverse();
  tasks.clear();
  for (const task of pending) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(task),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`a cleanup took over ${timeoutMs} ms`)), timeoutMs);
          timer.unref();
        }),
      ]);
    } catch (error) {
      errors.push(error);
    } finally {
      clearTimeout(timer);
    }
  }
  return errors;
}
