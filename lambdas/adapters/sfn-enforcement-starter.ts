import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { EnforcementRequest, EnforcementStarter } from '../core/ports';

/**
 * Starts the enforcement state machine. Standard workflows refuse a second execution with the
 * same name (for 90 days), which is what makes "once per crossing" hold under retries.
 */
export class SfnEnforcementStarter implements EnforcementStarter {
  public constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  public async start(request: EnforcementRequest): Promise<{ started: boolean }> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: request.executionName,
          input: JSON.stringify(request.input),
        }),
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
