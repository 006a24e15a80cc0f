import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  ClusterEnforcementUnavailableError,
  clusterWorkflowFor,
  systemClock,
  type SmallClusterRoute,
  type Clock,
  type ClusterEnforcementRequest,
  type EnforcementRequest,
  type EnforcementStarter,
} from '../core/ports';

/**
 * How far Step Functions' clock may be behind this host's and a start still count as ours. Lambda
 * and Step Functions keep time through Amazon Time Sync (well under a millisecond apart); a host
 * synchronised over the internet by NTP stays within tens of milliseconds. A repeat of a start made
 * less than this before (quicker than a redelivery comes back) would count as a start: `started`
 * only feeds the EnforcementsStarted metric, and no second execution runs either way.
 */
export const START_DATE_TOLERANCE_MS = 250;

/**
 * Starts the enforcement state machines: the account workflow, and the cluster workflow when its
 * ARN is given. Standard workflows run a name once (for 90 days): a repeat with the same input
 * while the execution runs gets that execution back without error (its startDate, from before
 * this request, tells it apart: started=false); a repeat once it has ended, or with another input,
 * is ExecutionAlreadyExists (started=false). Express ones (the optimised profile's account
 * workflow, and its cluster workflow for small clusters) start a new execution whatever the name
 * (started=true), and their conditional writes (account claim, case put, audit put) end it without
 * effect. Either way "once per crossing" holds under retries.
 */
export class SfnEnforcementStarter implements EnforcementStarter {
  public constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
    private readonly clusterStateMachineArn?: string,
    private readonly clock: Clock = systemClock,
    /** The clusters below a size go to this (Express) cluster workflow instead. */
    private readonly smallClusters?: SmallClusterRoute<string>,
  ) {}

  public async start(request: EnforcementRequest): Promise<{ started: boolean }> {
    return this.startExecution(this.stateMachineArn, request.executionName, request.input);
  }

  public async startCluster(request: ClusterEnforcementRequest): Promise<{ started: boolean }> {
    if (!this.clusterStateMachineArn) throw new ClusterEnforcementUnavailableError(request.executionName);
    const arn = clusterWorkflowFor(request, this.clusterStateMachineArn, this.smallClusters);
    return this.startExecution(arn, request.executionName, request.input);
  }

  private async startExecution(stateMachineArn: string, name: string, input: unknown) {
    // Taken before the first attempt: an execution our own retried request started (its first
    // response lost) starts after it, and counts as started.
    const requestedAt = this.clock.now().getTime();
    try {
      const { startDate } = await this.client.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      );
      const started = startDate === undefined || startDate.getTime() >= requestedAt - START_DATE_TOLERANCE_MS;
      return { started };
    } catch (error) {
      // Same name, other input: this crossing is already being enforced (a redelivered batch saw
      // more events this time). Same name and input, the execution closed: it was enforced.
      if (error instanceof ExecutionAlreadyExists) return { started: false };
      throw error;
    }
  }
}
