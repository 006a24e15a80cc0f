import { Duration, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { validatePolicy } from '../../lambdas/core/policy/policy';
import {
  APPCONFIG_VALIDATOR_MAX_BYTES,
  appConfigValidatorSchema,
} from '../../lambdas/core/policy/policy-json-schema';
import { POLICY_APPCONFIG_ENV, POLICY_METRICS } from '../../lambdas/core/policy/policy-source';
import { checkInteger } from '../validate-props';

export interface PolicyConfigProps {
  /** Validated policy as compact JSON (policyToJson(loadPolicyFile(...))): the hosted configuration. */
  readonly policyJson: string;
  /**
   * Alarms that roll a policy deployment back while it rolls out or bakes (AppConfig monitors),
   * e.g. the scorer-errors alarm. The construct adds its own alarm on rejected policy versions.
   */
  readonly rollbackAlarms: readonly cloudwatch.IAlarm[];
  /**
   * Service dimension of the scorer's Powertools metrics (POWERTOOLS_SERVICE_NAME).
   * @default 'cauterize-scorer'
   */
  readonly scorerServiceName?: string;
  /**
   * Percentage of scorer environments that get a new version at each step (1 to 100).
   * @default 20
   */
  readonly growthFactorPercent?: number;
  /**
   * Minutes from the first step to 100% (0 to 1440).
   * @default 10
   */
  readonly deploymentDurationMinutes?: number;
  /**
   * Minutes AppConfig keeps watching the alarms at 100% before the deployment is complete (0 to 1440).
   * @default 10
   */
  readonly finalBakeTimeMinutes?: number;
  /**
   * Topic the rejected-policy alarm notifies (on alarm and back to OK).
   * @default - no notification
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The policy, rolled out through AWS AppConfig so security teams' changes reach the scorer
 * without a code deploy: an application, one environment whose monitors roll a deployment back,
 * a hosted configuration profile holding the policy as JSON behind a JSON Schema validator
 * generated from the policy's zod schema, a linear deployment strategy, and the deployment of
 * the policy this app was synthesized with.
 *
 * The strategy is linear, 20% of the scorer's execution environments at a step over 10 minutes,
 * then a 10-minute bake: a version the schema cannot fully check (cross-field rules) or one that
 * makes the scorer fail reaches a fifth of the scorer first, and the rejected-version or
 * scorer-errors alarm rolls it back before the rest sees it, while a threshold raised during a
 * false-positive storm is everywhere within about 10 minutes.
 */
export class PolicyConfig extends Construct {
  public readonly application: appconfig.Application;
  public readonly environment: appconfig.Environment;
  public readonly configuration: appconfig.HostedConfiguration;
  public readonly deploymentStrategy: appconfig.DeploymentStrategy;
  /** Scorer environments rejected a deployed policy version (it fails the zod schema). */
  public readonly rejectedPolicyAlarm: cloudwatch.Alarm;

  public constructor(scope: Construct, id: string, props: PolicyConfigProps) {
    super(scope, id);
    checkInteger('growthFactorPercent', props.growthFactorPercent, 1, 100);
    checkInteger('deploymentDurationMinutes', props.deploymentDurationMinutes, 0, 1440);
    checkInteger('finalBakeTimeMinutes', props.finalBakeTimeMinutes, 0, 1440);
    if (props.rollbackAlarms.length === 0) {
      throw new Error(
        'rollbackAlarms is empty: pass at least the scorer-errors alarm, or a bad policy cannot roll back',
      );
    }
    const policy = validatePolicy(parseJson(props.policyJson), 'policyJson');
    const validator = appConfigValidatorSchema();
    const validatorBytes = Buffer.byteLength(validator, 'utf8');
    if (validatorBytes > APPCONFIG_VALIDATOR_MAX_BYTES) {
      throw new Error(
        `the policy's JSON Schema is ${validatorBytes} bytes, over the ${APPCONFIG_VALIDATOR_MAX_BYTES} ` +
          'AppConfig allows a validator: simplify the schema (shared definitions) or validate with a Lambda',
      );
    }

    this.rejectedPolicyAlarm = new cloudwatch.Metric({
      namespace: 'Cauterize',
      metricName: POLICY_METRICS.rejected,
      dimensionsMap: { service: props.scorerServiceName ?? 'cauterize-scorer' },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
    }).createAlarm(this, 'RejectedPolicyAlarm', {
      alarmDescription:
        'The scorer rejected a deployed policy version (see its log for the key, value and rule) and ' +
        'keeps scoring under the last good one; AppConfig rolls the deployment back.',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      const notify = new actions.SnsAction(props.alarmTopic);
      this.rejectedPolicyAlarm.addAlarmAction(notify);
      this.rejectedPolicyAlarm.addOkAction(notify);
    }
    const alarms = [...props.rollbackAlarms, this.rejectedPolicyAlarm];

    // AppConfig reads the alarms' state with this role; scoped to those alarms (CDK's default
    // monitor role may describe every alarm of the account).
    const monitorRole = new iam.Role(this, 'MonitorRole', {
      assumedBy: new iam.ServicePrincipal('appconfig.amazonaws.com'),
      description: 'AppConfig reads the alarms that roll a Cauterize policy deployment back',
      inlinePolicies: {
        DescribeRollbackAlarms: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['cloudwatch:DescribeAlarms'],
              resources: alarms.map((alarm) => alarm.alarmArn),
            }),
          ],
        }),
      },
    });

    this.application = new appconfig.Application(this, 'Application', {
      description: 'Cauterize: the detection and enforcement policy security teams tune',
    });
    this.environment = new appconfig.Environment(this, 'Environment', {
      application: this.application,
      description: 'The policy the Cauterize scorer runs under',
      monitors: alarms.map((alarm) => appconfig.Monitor.fromCloudWatchAlarm(alarm, monitorRole)),
    });
    this.deploymentStrategy = new appconfig.DeploymentStrategy(this, 'DeploymentStrategy', {
      description: 'Linear policy rollout with automatic rollback on the pipeline alarms',
      rolloutStrategy: appconfig.RolloutStrategy.linear({
        growthFactor: props.growthFactorPercent ?? 20,
        deploymentDuration: Duration.minutes(props.deploymentDurationMinutes ?? 10),
        finalBakeTime: Duration.minutes(props.finalBakeTimeMinutes ?? 10),
      }),
    });
    this.configuration = new appconfig.HostedConfiguration(this, 'Policy', {
      application: this.application,
      description: `Cauterize policy ${policy.version} (config/policy.yaml)`,
      content: appconfig.ConfigurationContent.fromInlineJson(props.policyJson),
      validators: [appconfig.JsonSchemaValidator.fromInline(validator)],
      deploymentStrategy: this.deploymentStrategy,
      deployTo: [this.environment],
      versionLabel: policy.version,
    });
  }

  /**
   * What the scorer's policy source reads (POLICY_APPCONFIG_*): the names, fixed at synth, not the
   * ids, so the function does not depend on the environment that monitors its alarm (a cycle).
   */
  public get environmentVariables(): Readonly<Record<string, string>> {
    const known = (name: string | undefined, what: string): string => {
      if (name === undefined) throw new Error(`the AppConfig ${what} has no name to hand the scorer`);
      return name;
    };
    return {
      [POLICY_APPCONFIG_ENV.application]: known(this.application.name, 'application'),
      [POLICY_APPCONFIG_ENV.environment]: known(this.environment.name, 'environment'),
      [POLICY_APPCONFIG_ENV.profile]: known(this.configuration.name, 'configuration profile'),
    };
  }

  /**
   * Lets the scorer fetch the policy: the two AppConfigData calls, on this profile in this
   * environment only. The permission is a policy of its own: the scorer's default policy cannot
   * name the environment, which monitors an alarm on the function that depends on that policy
   * (a cycle). The function's event source mappings wait for it instead, so no record is scored
   * before the scorer may read its policy.
   */
  public grantReadTo(fn: lambda.Function): iam.Policy {
    if (!fn.role) throw new Error(`function ${fn.node.path} has no role to grant the policy read to`);
    const policy = new iam.Policy(this, 'ReadPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
          resources: [
            Stack.of(this).formatArn({
              service: 'appconfig',
              resource: 'application',
              resourceName:
                `${this.application.applicationId}/environment/${this.environment.environmentId}` +
                `/configuration/${this.configuration.configurationProfileId}`,
            }),
          ],
        }),
      ],
    });
    policy.attachToRole(fn.role);
    for (const child of fn.node.findAll()) {
      if (child instanceof lambda.EventSourceMapping) child.node.addDependency(policy);
    }
    return policy;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `policyJson must be JSON, got '${text.slice(0, 40)}...': pass policyToJson(loadPolicyFile(...))`,
      { cause: error },
    );
  }
}
