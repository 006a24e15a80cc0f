import { appendFile } from 'node:fs/promises';
import { withSourceLine } from './jsonl-source';
import {
  ClusterEnforcementUnavailableError,
  type ClusterEnforcementRequest,
  type DeadLetterSink,
  type EnforcementRequest,
  type EnforcementStarter,
  type RejectedRecord,
} from '../lambdas/core/ports';
import { ExecutionAlreadyExistsError, type LocalStateMachine } from './local-state-machine';

/**
 * The EnforcementStarter port over the in-process state machines (the account workflow, and the
 * cluster workflow when given), with Step Functions' naming rules.
 */
export class LocalEnforcementStarter implements EnforcementStarter {
  public constructor(
    private readonly stateMachine: LocalStateMachine,
    private readonly clusterStateMachine?: LocalStateMachine,
  ) {}

  public async start(request: EnforcementRequest): Promise<{ started: boolean }> {
    return startOnce(this.stateMachine, request.executionName, request.input);
  }

  public async startCluster(request: ClusterEnforcementRequest): Promise<{ started: boolean }> {
    if (!this.clusterStateMachine) throw new ClusterEnforcementUnavailableError(request.executionName);
    return startOnce(this.clusterStateMachine, request.executionName, request.input);
  }
}

async function startOnce(machine: LocalStateMachine, name: string, input: unknown) {
  try {
    const { started } = await machine.startExecution({ name, input });
    return { started };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExistsError) return { started: false };
    throw error;
  }
}

/**
 * The local dead-letter queue: rejected records are kept in memory and, when a file is given,
 * appended to it as JSON Lines with their reason (what SQS would hold in AWS).
 */
export class LocalDeadLetterSink implements DeadLetterSink {
  private readonly kept: RejectedRecord[] = [];
  /** A batch retried after a partial failure dead-letters its rejects again: count each record once. */
  private readonly seen = new Set<string>();

  public constructor(
    private readonly file?: string,
    /** In-memory records kept for inspection; counting goes on past it. @default 1000 */
    private readonly keep = 1000,
  ) {}

  public async send(records: readonly RejectedRecord[]): Promise<void> {
    const fresh = records.filter((r) => !this.seen.has(r.sequenceNumber));
    if (this.file && fresh.length > 0)
      await appendFile(this.file, fresh.map((r) => `${JSON.stringify(withSourceLine(r))}\n`).join(''));
    for (const record of fresh) {
      this.seen.add(record.sequenceNumber);
      if (this.kept.length < this.keep) this.kept.push(record);
    }
  }

  /** Distinct records dead-lettered. */
  public get total(): number {
    return this.seen.size;
  }

  public records(): readonly RejectedRecord[] {
    return this.kept;
  }
}
