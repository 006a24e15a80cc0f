import { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient } from '../adapters/aws-clients';
import { DynamoDbCaseStore } from '../adapters/dynamodb-case-store';
import { S3CaseArchive } from '../adapters/s3-case-archive';
import type { CaseArchive } from '../core/cases/case-ports';
import { CASE_SK } from '../core/cases/case-record';
import { CaseService, type ArchiveOutcome } from '../core/cases/case-service';
import { systemClock } from '../core/ports';
import { requireEnv } from './env';

/** Who archives, in audit entries and archive documents. */
export const ARCHIVER_ACTOR = 'cauterize-case-archiver';

export interface CaseArchiverOptions {
  readonly service: CaseService;
  readonly archive: CaseArchive;
  /** Object Lock retention of each archive, in days (the policy's compliance.archiveRetentionDays). */
  readonly retentionDays: number;
  readonly logger: Logger;
  /** Sees each archived case (tests and the local runtime). */
  readonly onArchived?: (caseId: string, outcome: ArchiveOutcome) => void;
}

/**
 * Archives cases as they are CLOSED. Triggered by the cases table's DynamoDB stream (the event
 * source mapping's filter passes only CASE items whose new image is CLOSED); each record is
 * re-checked against the table, so a replayed or out-of-date record is harmless. Failed records
 * are reported as partial batch failures and retried.
 */
export function createCaseArchiverHandler(options: CaseArchiverOptions) {
  const { service, archive, retentionDays, logger } = options;
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (!image) continue;
      const item = unmarshall(image as Record<string, AttributeValue>);
      if (item.sk !== CASE_SK || item.status !== 'CLOSED' || item.archive !== undefined) continue;
      const caseId = String(item.caseId);
      try {
        const outcome = await service.archive(caseId, archive, retentionDays, ARCHIVER_ACTOR);
        if (outcome.outcome === 'archived') {
          logger.info('case archived', { caseId, ...outcome.location, chainVerified: outcome.verified });
          if (!outcome.verified) {
            logger.error('archived case has a broken audit chain', { caseId, key: outcome.location.key });
          }
        }
        options.onArchived?.(caseId, outcome);
      } catch (error) {
        logger.error('case not archived; the record will be retried', { caseId, error: error as Error });
        const sequenceNumber = record.dynamodb?.SequenceNumber;
        if (sequenceNumber) batchItemFailures.push({ itemIdentifier: sequenceNumber });
      }
    }
    return { batchItemFailures };
  };
}

const logger = new Logger({ serviceName: 'cauterize-case-archiver' });
let lambdaHandler: ReturnType<typeof createCaseArchiverHandler> | undefined;

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  lambdaHandler ??= createCaseArchiverHandler({
    logger,
    service: new CaseService({
      store: new DynamoDbCaseStore(documentClient(), requireEnv('CASES_TABLE')),
      clock: systemClock,
    }),
    archive: new S3CaseArchive(new S3Client({}), requireEnv('ARCHIVE_BUCKET')),
    retentionDays: retentionDaysFromEnv(),
  });
  return lambdaHandler(event);
};

function retentionDaysFromEnv(): number {
  const text = requireEnv('ARCHIVE_RETENTION_DAYS');
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(
      `environment variable ARCHIVE_RETENTION_DAYS must be a whole number of days >= 1, got '${text}'`,
    );
  }
  return days;
}
