import { smallClusterRouteFromEnv } from '../../lambdas/handlers/env';

/** The scorer's small-cluster workflow, read from the environment the stack sets. */
describe('Function: smallClusterRouteFromEnv', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  function setEnv(values: Record<string, string | undefined>): void {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }

  it('is undefined when the stack has no small-cluster workflow (the default profile)', () => {
    // Prepare
    setEnv({ SMALL_CLUSTER_STATE_MACHINE_ARN: undefined, SMALL_CLUSTER_BELOW_MEMBERS: undefined });

    // Act & Assess
    expect(smallClusterRouteFromEnv()).toBeUndefined();
  });

  it('reads the machine and the size below which clusters go to it', () => {
    // Prepare
    setEnv({
      SMALL_CLUSTER_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:express',
      SMALL_CLUSTER_BELOW_MEMBERS: '500',
    });

    // Act & Assess
    expect(smallClusterRouteFromEnv()).toEqual({
      target: 'arn:aws:states:us-east-1:123456789012:stateMachine:express',
      belowMembers: 500,
    });
  });

  it.each([
    [undefined, /SMALL_CLUSTER_BELOW_MEMBERS is not set/],
    ['many', /SMALL_CLUSTER_BELOW_MEMBERS must be a whole number of at least 2, got "many"/],
    ['1', /must be a whole number of at least 2, got "1"/],
  ])('fails the cold start naming the variable when the size is %p', (size, message) => {
    // Prepare
    setEnv({ SMALL_CLUSTER_STATE_MACHINE_ARN: 'arn:express', SMALL_CLUSTER_BELOW_MEMBERS: size });

    // Act & Assess
    expect(() => smallClusterRouteFromEnv()).toThrow(message);
  });
});
