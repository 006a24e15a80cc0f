import {
  ExecutionAlreadyExistsError,
  InvalidExecutionRequestError,
  type LocalStateMachine,
} from '../../local/stepfunctions/local-state-machine';
import {
  AwsJsonEndpoint,
  AwsJsonServiceError,
  type InjectedFault,
  type ReceivedRequest,
} from './aws-json-endpoint';

/**
 * A Step Functions endpoint on loopback serving StartExecution (the one operation the scorer's
 * SfnEnforcementStarter calls) for local state machines, by ARN. The naming rules are theirs
 * (LocalStateMachine): under STANDARD, the same name and input while the execution runs returns
 * that execution (its ARN and startDate) without error; a closed execution's name, or another
 * input, is ExecutionAlreadyExists; under EXPRESS every call starts a new execution. Answers are
 * in the service's JSON 1.0 wire format, startDate in epoch seconds.
 */
export class StepFunctionsEndpoint {
  private constructor(private readonly server: AwsJsonEndpoint) {}

  public static async start(machines: readonly LocalStateMachine[]): Promise<StepFunctionsEndpoint> {
    const byArn = new Map(machines.map((machine) => [machine.stateMachineArn, machine]));
    const server = await AwsJsonEndpoint.start({
      targetPrefix: 'AWSStepFunctions',
      operations: {
        StartExecution: async (input) => {
          const stateMachineArn = String(input.stateMachineArn ?? '');
          const machine = byArn.get(stateMachineArn);
          if (!machine) {
            throw new AwsJsonServiceError(
              'StateMachineDoesNotExist',
              `State Machine Does Not Exist: '${stateMachineArn}'`,
            );
          }
          try {
            const { executionArn, startDate } = await machine.startExecution({
              ...(input.name === undefined ? {} : { name: String(input.name) }),
              input: input.input === undefined ? '{}' : String(input.input),
            });
            return { executionArn, startDate: startDate.getTime() / 1000 };
          } catch (error) {
            if (
              error instanceof ExecutionAlreadyExistsError ||
              error instanceof InvalidExecutionRequestError
            ) {
              throw new AwsJsonServiceError(error.name, error.message);
            }
            throw error;
          }
        },
      },
    });
    return new StepFunctionsEndpoint(server);
  }

  public get endpoint(): string {
    return this.server.endpoint;
  }

  /** The StartExecution requests received, in order, as the SDK serialized them. */
  public get requests(): readonly ReceivedRequest[] {
    return this.server.requests;
  }

  public injectFault(fault: InjectedFault): void {
    this.server.injectFault(fault);
  }

  public async stop(): Promise<void> {
    await this.server.stop();
  }
}
