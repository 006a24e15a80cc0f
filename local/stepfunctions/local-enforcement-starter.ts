import {
  ClusterEnforcementUnavailableError,
  type ClusterEnforcementRequest,
  type EnforcementRequest,
  type EnforcementStarter,
} from '../../lambdas/core/ports';
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
