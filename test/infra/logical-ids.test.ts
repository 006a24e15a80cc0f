import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { synthesizeCauterize } from '../support/synthesize';

/**
 * The default app's resources, logical id -> type, per stack (test/infra/fixtures). A refactor
 * of the constructs must leave every one in place: a changed logical id replaces the resource on
 * the next deploy, and for a table, a stream or a key that loses its data.
 * After a change that means to add or remove resources, rewrite the fixture with
 * `UPDATE_LOGICAL_IDS=1 npx jest test/infra/logical-ids.test.ts` and review its diff.
 */
const FIXTURE = join(__dirname, 'fixtures', 'default-app-logical-ids.json');

type LogicalIds = Record<string, Record<string, string>>;

/** An API deployment's id ends in a hash of the API's definition: it changes with any method, by design. */
const stableId = (logicalId: string, type: string): string =>
  type === 'AWS::ApiGateway::Deployment' ? logicalId.replace(/[0-9a-f]{32,}$/, '<hash>') : logicalId;

const logicalIdsOf = (template: Template): Record<string, string> => {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  return Object.fromEntries(
    Object.entries(resources)
      .map(([logicalId, { Type }]) => [logicalId, Type] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
};

const comparable = (ids: LogicalIds): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries(ids).map(([stack, resources]) => [
      stack,
      Object.entries(resources).map(([id, type]) => `${stableId(id, type)} ${type}`),
    ]),
  );

describe('Default app: logical ids', () => {
  it('keeps every resource of both stacks, with the same logical id and type', () => {
    // Prepare
    const { stateful, pipeline } = synthesizeCauterize();

    // Act
    const now: LogicalIds = {
      [stateful.stackName]: logicalIdsOf(Template.fromStack(stateful)),
      [pipeline.stackName]: logicalIdsOf(Template.fromStack(pipeline)),
    };
    if (process.env.UPDATE_LOGICAL_IDS === '1') writeFileSync(FIXTURE, `${JSON.stringify(now, null, 2)}\n`);
    const before = JSON.parse(readFileSync(FIXTURE, 'utf8')) as LogicalIds;

    // Assess
    expect(comparable(now)).toEqual(comparable(before));
  });
});
