import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { checkInteger } from '../validate-props';

export interface PipelineMonitoringProps {
  readonly usageStream: kinesis.IStream;
  readonly scorerFunction: lambda.IFunction;
  readonly failureQueue: sqs.IQueue;
  readonly rejectedQueue: sqs.IQueue;
  readonly enforcementStateMachine: sfn.IStateMachine;
  /**
   * Other workflows whose failed executions alarm too (cluster enforcement, reinstatement), by a
   * name used in the alarm's id and description.
   * @default none
   */
  readonly otherWorkflows?: Readonly<Record<string, sfn.IStateMachine>>;
  /**
   * The scorer is falling behind when the oldest unread record is older than this, in seconds.
   * @default 60
   */
  readonly iteratorAgeThresholdSeconds?: number;
  /**
   * Topic every alarm notifies (on alarm and back to OK).
   * @default - no notification; the alarms still show on the dashboard
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Alarms on the ways the pipeline loses or delays enforcement, and a dashboard beside them:
 * the scorer falling behind the stream, scorer errors, records in either dead-letter queue,
 * failed enforcement executions.
 */
export class PipelineMonitoring extends Construct {
  public readonly iteratorAgeAlarm: cloudwatch.Alarm;
  public readonly scorerErrorsAlarm: cloudwatch.Alarm;
  public readonly failureQueueAlarm: cloudwatch.Alarm;
  public readonly rejectedQueueAlarm: cloudwatch.Alarm;
  public readonly enforcementFailedAlarm: cloudwatch.Alarm;
  /** One alarm on failed executions per workflow in props.otherWorkflows, by its name. */
  public readonly workflowFailedAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  public readonly dashboard: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    checkInteger('iteratorAgeThresholdSeconds', props.iteratorAgeThresholdSeconds, 1, 604_800);
    const period = Duration.minutes(1);

    const iteratorAge = props.usageStream.metricGetRecordsIteratorAgeMilliseconds({
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
    this.iteratorAgeAlarm = iteratorAge.createAlarm(this, 'IteratorAgeAlarm', {
      alarmDescription: 'The scorer is falling behind the usage stream: enforcement is delayed.',
      threshold: (props.iteratorAgeThresholdSeconds ?? 60) * 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const scorerErrors = props.scorerFunction.metricErrors({ statistic: cloudwatch.Stats.SUM, period });
    this.scorerErrorsAlarm = scorerErrors.createAlarm(this, 'ScorerErrorsAlarm', {
      alarmDescription: 'Scorer invocations failed as a whole (batches are retried, then dead-lettered).',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const failureDepth = props.failureQueue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
    this.failureQueueAlarm = failureDepth.createAlarm(this, 'FailureQueueAlarm', {
      alarmDescription: 'Usage records exhausted their retries or age unscored: inspect and re-drive them.',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const rejectedDepth = props.rejectedQueue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
    this.rejectedQueueAlarm = rejectedDepth.createAlarm(this, 'RejectedQueueAlarm', {
      alarmDescription:
        'The gateway sent usage events that break the contract: see the reasons in the queue.',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const executionsFailed = props.enforcementStateMachine.metricFailed({
      statistic: cloudwatch.Stats.SUM,
      period,
    });
    this.enforcementFailedAlarm = executionsFailed.createAlarm(this, 'EnforcementFailedAlarm', {
      alarmDescription: 'Enforcement executions failed: accounts may be left unsuspended or without a case.',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const workflowFailedAlarms: Record<string, cloudwatch.Alarm> = {};
    for (const [name, machine] of Object.entries(props.otherWorkflows ?? {})) {
      workflowFailedAlarms[name] = machine
        .metricFailed({ statistic: cloudwatch.Stats.SUM, period })
        .createAlarm(this, `${name}FailedAlarm`, {
          alarmDescription: `${name} executions failed: the workflow left its work unfinished.`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
    }
    this.workflowFailedAlarms = workflowFailedAlarms;

    if (props.alarmTopic) {
      const notify = new actions.SnsAction(props.alarmTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(notify);
        alarm.addOkAction(notify);
      }
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...this.alarms],
            width: 24,
            height: 3,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Usage stream',
            left: [props.usageStream.metricIncomingRecords({ statistic: cloudwatch.Stats.SUM, period })],
            right: [iteratorAge.with({ label: 'Iterator age (ms, max)' })],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Scorer',
            left: [
              props.scorerFunction.metricInvocations({ statistic: cloudwatch.Stats.SUM, period }),
              scorerErrors,
            ],
            right: [props.scorerFunction.metricDuration({ statistic: cloudwatch.Stats.p(99), period })],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queues (messages visible)',
            // Labelled here only: a labelled metric turns an alarm into a metric-math alarm.
            left: [
              failureDepth.with({ label: 'Failure queue' }),
              rejectedDepth.with({ label: 'Rejected events queue' }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Enforcement executions',
            left: [
              props.enforcementStateMachine.metricStarted({ statistic: cloudwatch.Stats.SUM, period }),
              props.enforcementStateMachine.metricSucceeded({ statistic: cloudwatch.Stats.SUM, period }),
              executionsFailed,
            ],
            width: 12,
          }),
        ],
      ],
    });
  }

  /** Every alarm of the pipeline, for wiring notifications or composite alarms. */
  public get alarms(): readonly cloudwatch.Alarm[] {
    return [
      this.iteratorAgeAlarm,
      this.scorerErrorsAlarm,
      this.failureQueueAlarm,
      this.rejectedQueueAlarm,
      this.enforcementFailedAlarm,
      ...Object.values(this.workflowFailedAlarms),
    ];
  }
}
