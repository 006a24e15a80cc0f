import {
  ClusterEnforcementUnavailableError,
  clusterWorkflowFor,
  type ClusterEnforcementRequest,
  type SmallClusterRoute,
  type EnforcementRequest,
  type EnforcementStarter,
} from '../../lambdas/core/ports';
import { ExecutionAlreadyExistsError, type LocalStateMachine } from './local-state-machine';

/**
 * The EnforcementStarter port over the in-process state machines (the account workflow, and the
 * cluster workflows when given), with Step Functions' naming rules.
 */
export class LocalEnforcementStarter implements EnforcementStarter {
  public constructor(
    private readonly stateMachine: LocalStateMachine,
    private readonly clusterStateMachine?: LocalStateMachine,
    /** The clusters below a size go to this (Express) cluster workflow instead. */
    private readonly smallClusters?: SmallClusterRoute<LocalStateMachine>,
  ) {}

  public async start(request: EnforcementRequest): Promise<{ started: boolean }> {
    return startOnce(this.stateMachine, request.executionName, request.input);
  }

  public async startCluster(request: ClusterEnforcementRequest): Promise<{ started: boolean }> {
    if (!this.clusterStateMachine) throw new ClusterEnforcementUnavailableError(request.executionName);
    const machine = clusterWorkflowFor(request, this.clusterStateMachine, this.smallClusters);
    return startOnce(machine, request.executionName, request.input);
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
