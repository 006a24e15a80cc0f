import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  ClusterEnforcementUnavailableError,
  type ClusterEnforcementRequest,
  type EnforcementRequest,
  type EnforcementStarter,
} from '../core/ports';

/**
 * Starts the enforcement state machines: the account workflow, and the cluster workflow when its
 * ARN is given. Standard workflows refuse a second execution with the same name (for 90 days);
 * Express ones (the optimised profile's account workflow) start it, and its conditional writes
 * (account claim, case put, audit put) end it without effect. Either way "once per crossing" holds
 * under retries.
 */
export class SfnEnforcementStarter implements EnforcementStarter {
  public constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
    private readonly clusterStateMachineArn?: string,
  ) {}

  public async start(request: EnforcementRequest): Promise<{ started: boolean }> {
    return this.startExecution(this.stateMachineArn, request.executionName, request.input);
  }

  public async startCluster(request: ClusterEnforcementRequest): Promise<{ started: boolean }> {
    if (!this.clusterStateMachineArn) throw new ClusterEnforcementUnavailableError(request.executionName);
    return this.startExecution(this.clusterStateMachineArn, request.executionName, request.input);
  }

  private async startExecution(stateMachineArn: string, name: string, input: unknown) {
    try {
      await this.client.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return { started: true };
    } catch (error) {
      // Same name, other input: this crossing is already being enforced (a redelivered batch
      // saw more events this time). Same name and input is not an error at all.
      if (error instanceof ExecutionAlreadyExists) return { started: false };
      throw error;
    }
  }
}
