import { Command, CommanderError } from 'commander';
import { registerCasesCommands } from './commands/cases';
import { registerConsoleCommand } from './commands/console';
import { registerDemoCommand } from './commands/demo';
import { registerEvaluateCommand } from './commands/evaluate';
import { registerPolicyCommands } from './commands/policy';
import { registerReplayCommand } from './commands/replay';
import { registerSimulateCommand } from './commands/simulate';

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

/** Runs the CLI; resolves to the process exit code. Errors are printed, never thrown. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const err = error as Error;
    process.stderr.write(`cauterize: ${err.message}\n`);
    if (process.env.CAUTERIZE_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
}
