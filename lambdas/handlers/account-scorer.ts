import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { documentClient } from '../adapters/aws-clients';
import { DynamoDbAccountStore } from '../adapters/dynamodb-account-store';
import { DynamoDbLinkStore } from '../adapters/dynamodb-link-store';
import { SfnEnforcementStarter } from '../adapters/sfn-enforcement-starter';
import { SqsDeadLetterSink } from '../adapters/sqs-dead-letter-sink';
import type { Policy } from '../core/policy/policy';
import { isPolicySource, type PolicySource } from '../core/policy/policy-source';
import { systemClock } from '../core/ports';
import {
  scoreBatch,
  type BatchOutcome,
  type ScoreBatchDependencies,
  type StreamRecord,
} from '../core/batch/score-batch';
import { requireEnv, smallClusterRouteFromEnv } from './env';
import { policySourceFromEnv } from './policy-source-from-env';

export interface AccountScorerOptions extends Omit<ScoreBatchDependencies, 'policy'> {
  /** The policy, or where to read the current one at every invocation (AppConfig in Lambda). */
  readonly policy: Policy | PolicySource;
  readonly logger: Logger;
  /** Optional so local runs and tests need not flush metrics. */
  readonly metrics?: Metrics;
  /** Sees every batch's outcome (the local runtime totals them). */
  readonly onOutcome?: (outcome: BatchOutcome) => void;
}

/** eventID is "shardId-000000000000:49590338271490256608559692538361571095921575989136588898". */
function toStreamRecord(record: KinesisStreamEvent['Records'][number]): StreamRecord {
  const shardId = record.eventID.split(':')[0] ?? record.eventID;
  return {
    shardId,
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
    data: Buffer.from(record.kinesis.data, 'base64'),
  };
}

/**
 * The account scorer as a function of its dependencies, so the local runtime and tests run the
 * exact handler Lambda runs, wired to local services or in-memory adapters.
 */
export function createAccountScorerHandler(options: AccountScorerOptions) {
  const { logger, metrics } = options;
  return async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    let policy: Policy;
    try {
      policy = isPolicySource(options.policy) ? await options.policy.current() : options.policy;
    } catch (error) {
      // No valid policy at all: fail the batch (it is retried) with the rejection counted.
      metrics?.publishStoredMetrics();
      throw error;
    }
    const outcome = await scoreBatch(event.Records.map(toStreamRecord), { ...options, policy });
    options.onOutcome?.(outcome);
    for (const rejected of outcome.rejected) {
      logger.warn('usage event rejected', {
        sequenceNumber: rejected.sequenceNumber,
        partitionKey: rejected.partitionKey,
        field: rejected.field,
        reason: rejected.reason,
      });
    }
    for (const { accountId, error } of outcome.errors) {
      logger.error('account not scored; its records will be redelivered', { accountId, error });
    }
    if (metrics) {
      const { stats } = outcome;
      metrics.addMetric('RecordsReceived', MetricUnit.Count, stats.records);
      metrics.addMetric('EventsRejected', MetricUnit.Count, stats.rejected);
      metrics.addMetric('EventsDuplicate', MetricUnit.Count, stats.duplicates);
      metrics.addMetric('AccountsScored', MetricUnit.Count, stats.accountWrites);
      metrics.addMetric('EnforcementsStarted', MetricUnit.Count, stats.enforcementsStarted);
      metrics.addMetric('RecordsFailed', MetricUnit.Count, outcome.failedSequenceNumbers.length);
      metrics.publishStoredMetrics();
    }
    return {
      batchItemFailures: outcome.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

// Built once per execution environment, from the environment the stack sets.
const logger = new Logger({ serviceName: 'cauterize-scorer' });
const metrics = new Metrics({ namespace: 'Cauterize', serviceName: 'cauterize-scorer' });
let lambdaHandler: ReturnType<typeof createAccountScorerHandler> | undefined;

export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
  lambdaHandler ??= createAccountScorerHandler({
    logger,
    metrics,
    accounts: new DynamoDbAccountStore(documentClient(), requireEnv('ACCOUNTS_TABLE')),
    links: new DynamoDbLinkStore(documentClient(), requireEnv('LINKS_TABLE')),
    enforcement: new SfnEnforcementStarter(
      new SFNClient({}),
      requireEnv('STATE_MACHINE_ARN'),
      requireEnv('CLUSTER_STATE_MACHINE_ARN'),
      systemClock,
      smallClusterRouteFromEnv(),
    ),
    deadLetters: new SqsDeadLetterSink(new SQSClient({}), requireEnv('REJECTED_QUEUE_URL')),
    policy: policySourceFromEnv({ logger, metrics }),
    clock: systemClock,
  });
  return lambdaHandler(event);
};
