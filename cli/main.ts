import { Command, CommanderError } from 'commander';
import { pendingCleanups, runCleanups } from '../local/emulators/process-cleanup';
import { registerCasesCommands } from './commands/cases';
import { registerConsoleCommand } from './commands/console';
import { registerDemoCommand } from './commands/demo';
import { registerEvaluateCommand } from './commands/evaluate';
import { registerPolicyCommands } from './commands/policy';
import { registerReplayCommand } from './commands/replay';
import { registerSimulateCommand } from './commands/simulate';
import { EXIT_ERROR, EXIT_NO, EXIT_OK, EXIT_SIGNAL, EXIT_STDOUT_CLOSED, VerdictError } from './exit-codes';

export function buildProgram(): Command {
  const program = new Command()
    .name('cauterize')
    .description('Find and shut down coordinated model-distillation campaigns; run the pipeline offline.')
    .showHelpAfterError()
    .exitOverride();
  registerDemoCommand(program);
  registerReplayCommand(program);
  registerSimulateCommand(program);
  registerEvaluateCommand(program);
  registerPolicyCommands(program);
  registerCasesCommands(program);
  registerConsoleCommand(program);
  return program;
}

/**
 * Runs the CLI; resolves to the process exit code (cli/exit-codes.ts). Errors are printed, never
 * thrown.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    // Commander has printed its own message (usage errors) or the help.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    const err = error as Error;
    if (!(error instanceof VerdictError && error.quiet)) process.stderr.write(`cauterize: ${err.message}\n`);
    if (process.env.CAUTERIZE_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
    return error instanceof VerdictError ? EXIT_NO : EXIT_ERROR;
  }
}

/** How long a finished command may take to let go of what it holds before the process exits anyway. */
const EXIT_GRACE_MS = 5_000;

/**
 * The process's entry point (bin/cauterize.js): runs main, and on SIGINT or SIGTERM, or when
 * stdout is closed early (`| head`), stops what the command started (local emulators, temporary
 * folders, half-written files: local/emulators/process-cleanup.ts) and exits with the code of
 * cli/exit-codes.ts. A second signal exits at once.
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  let stopping = false;
  const stop = (code: number, message?: string) => {
    if (stopping) process.exit(code);
    stopping = true;
    if (message) process.stderr.write(message);
    void runCleanups().finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () =>
      stop(
        EXIT_SIGNAL[signal],
        `\ncauterize: ${signal}: stopping the local services and removing temporary files\n`,
      ),
    );
  }
  // A failure nothing awaited (a stream's error event, say) is fatal: clean up, exit 2.
  const fatal = (error: unknown) => {
    const err = error as Error;
    stop(EXIT_ERROR, `cauterize: ${err?.message ?? String(error)}\n`);
    if (process.env.CAUTERIZE_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  // Without a listener, a write to a closed pipe throws EPIPE with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop(EXIT_STDOUT_CLOSED);
    else stop(EXIT_ERROR, `cauterize: cannot write to stdout: ${error.message}\n`);
  });

  const code = await main(argv);
  if (stopping) return;
  // A command that failed half way may have left something behind.
  if (pendingCleanups() > 0) await runCleanups();
  process.exitCode = code;
  // Exit even if a handle was left open, rather than hang.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}
