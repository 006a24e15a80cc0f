import {
  resolveStateMachineDefinition,
  StateMachineDefinitionError,
  UnsupportedDefinitionError,
} from '../../../local/stepfunctions/asl-definition';
import type {
  CloudFormationTemplate,
  ResolveRef,
} from '../../../local/cloudformation/cloudformation-template';

/** Resolves the two resources the templates below refer to, the way provisionFromTemplate does. */
const resolveRef: ResolveRef = (logicalId, attribute) => {
  const known: Record<string, string> = {
    Table: 'AccountsTable',
    'Bus.Arn': 'arn:aws:events:us-east-1:000000000000:event-bus/cauterize',
  };
  const value = known[attribute ? `${logicalId}.${attribute}` : logicalId];
  if (value === undefined) throw new Error(`unknown reference ${logicalId} ${attribute ?? ''}`);
  return value;
};

/** A state machine resource whose DefinitionString is in the Fn::Join form CDK synthesizes. */
function templateWithJoinedDefinition(parts: unknown[]): CloudFormationTemplate {
  return {
    Resources: {
      Table: { Type: 'AWS::DynamoDB::Table' },
      Bus: { Type: 'AWS::Events::EventBus' },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { DefinitionString: { 'Fn::Join': ['', parts] } },
      },
    },
  };
}

describe('Function: resolveStateMachineDefinition', () => {
  describe('Method: resolveStateMachineDefinition', () => {
    it('substitutes Refs, GetAtts and pseudo parameters in a Fn::Join definition and parses it', () => {
      // Prepare
      const template = templateWithJoinedDefinition([
        '{"StartAt":"Put","States":{"Put":{"Type":"Task","Next":"Publish","Resource":"arn:',
        { Ref: 'AWS::Partition' },
        ':states:::dynamodb:putItem","Parameters":{"TableName":"',
        { Ref: 'Table' },
        '","Item":{"pk":{"S.$":"$.id"}}}},"Publish":{"Type":"Task","End":true,"Resource":"arn:',
        { Ref: 'AWS::Partition' },
        ':states:::events:putEvents","Parameters":{"Entries":[{"EventBusName":"',
        { 'Fn::GetAtt': ['Bus', 'Arn'] },
        '","Source":"',
        { Ref: 'AWS::Region' },
        '.',
        { Ref: 'AWS::AccountId' },
        '.',
        { Ref: 'AWS::URLSuffix' },
        '","DetailType":"T","Detail":{}}]}}}}',
      ]);

      // Act
      const definition = resolveStateMachineDefinition(template, undefined, resolveRef) as {
        States: Record<string, { Resource: string; Parameters: Record<string, unknown> }>;
      };

      // Assess
      expect(definition.States.Put?.Resource).toBe('arn:aws:states:::dynamodb:putItem');
      expect(definition.States.Put?.Parameters.TableName).toBe('AccountsTable');
      expect(definition.States.Publish?.Parameters.Entries).toEqual([
        {
          EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/cauterize',
          Source: 'us-east-1.000000000000.amazonaws.com',
          DetailType: 'T',
          Detail: {},
        },
      ]);
    });

    it('resolves a Definition object and DefinitionSubstitutions', () => {
      // Prepare
      const template: CloudFormationTemplate = {
        Resources: {
          Table: { Type: 'AWS::DynamoDB::Table' },
          Machine: {
            Type: 'AWS::StepFunctions::StateMachine',
            Properties: {
              Definition: {
                StartAt: 'Get',
                States: {
                  Get: {
                    Type: 'Task',
                    Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:states:::dynamodb:getItem' },
                    Parameters: { TableName: '${tableName}', Key: { pk: { S: 'x' } } },
                    End: true,
                  },
                },
              },
              DefinitionSubstitutions: { tableName: { Ref: 'Table' } },
            },
          },
        },
      };

      // Act
      const definition = resolveStateMachineDefinition(template, 'Machine', resolveRef);

      // Assess
      expect(definition).toEqual({
        StartAt: 'Get',
        States: {
          Get: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:getItem',
            Parameters: { TableName: 'AccountsTable', Key: { pk: { S: 'x' } } },
            End: true,
          },
        },
      });
    });

    it('refuses JSONata anywhere, nested Map states included, naming where it is used', () => {
      // Prepare
      const template = templateWithJoinedDefinition([
        JSON.stringify({
          StartAt: 'Fan',
          States: {
            Fan: {
              Type: 'Map',
              End: true,
              ItemProcessor: {
                StartAt: 'Inner',
                States: {
                  Inner: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.input %}', End: true },
                },
              },
            },
          },
        }),
      ]);

      // Act
      const resolve = () => resolveStateMachineDefinition(template, 'Machine', resolveRef);

      // Assess
      expect(resolve).toThrow(UnsupportedDefinitionError);
      expect(resolve).toThrow(/States\.Fan\.ItemProcessor\.States\.Inner\.QueryLanguage: JSONata/);
    });

    it('refuses a top-level JSONata query language and variables', () => {
      // Prepare
      const template = templateWithJoinedDefinition([
        JSON.stringify({
          QueryLanguage: 'JSONata',
          StartAt: 'A',
          States: { A: { Type: 'Pass', Assign: { x: 1 }, End: true } },
        }),
      ]);

      // Act
      let error: unknown;
      try {
        resolveStateMachineDefinition(template, undefined, resolveRef);
      } catch (caught) {
        error = caught;
      }

      // Assess
      expect(error).toBeInstanceOf(UnsupportedDefinitionError);
      expect((error as UnsupportedDefinitionError).findings).toEqual([
        'StateMachine.QueryLanguage: JSONata is silently ignored by aws-local-stepfunctions',
        'States.A.Assign: variables (Assign) are not supported',
      ]);
    });

    it('asks for a logical id when the template has several state machines', () => {
      // Prepare
      const machine = { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: '{}' } };
      const template: CloudFormationTemplate = { Resources: { One: machine, Two: machine } };

      // Act
      const resolve = () => resolveStateMachineDefinition(template, undefined, resolveRef);

      // Assess
      expect(resolve).toThrow(StateMachineDefinitionError);
      expect(resolve).toThrow('the template has 2 state machines (One, Two); pass the logical id of one');
    });
  });
});
