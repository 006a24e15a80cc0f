import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { documentClient } from '../adapters/aws-clients';
import { DynamoDbCaseStore } from '../adapters/dynamodb-case-store';
import { S3ChainAnchors } from '../adapters/s3-chain-anchors';
import {
  takeAnchor,
  type ChainAnchorStore,
  type ChainHeadSource,
  type TakenAnchor,
} from '../core/cases/chain-anchor';
import { systemClock, type Clock } from '../core/ports';
import { requireEnv } from './env';

/** Who writes anchors (recorded in each one). */
export const ANCHOR_ACTOR = 'cauterize-chain-anchor';

export interface ChainAnchorOptions {
  readonly heads: ChainHeadSource;
  readonly anchors: ChainAnchorStore;
  /** Name of the cases table (recorded in the anchor). */
  readonly table: string;
  /** Days each anchor stays under Object Lock (COMPLIANCE). */
  readonly retentionDays: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Writes an anchor of every case's audit chain head to the archive bucket. Run on a schedule
 * (hourly by default); each run writes a new object, so a failed run is only a missed anchor:
 * the next one covers every case again.
 */
export function createChainAnchorHandler(options: ChainAnchorOptions) {
  return async (): Promise<{ readonly key: string; readonly cases: number }> => {
    const taken: TakenAnchor = await takeAnchor({
      heads: options.heads,
      anchors: options.anchors,
      table: options.table,
      anchoredBy: ANCHOR_ACTOR,
      now: options.clock.now(),
      retentionDays: options.retentionDays,
    });
    options.logger.info('chain heads anchored', {
      location: taken.location,
      cases: taken.document.count,
      headsDigest: taken.document.headsDigest,
      previous: taken.document.previous?.key,
    });
    return { key: taken.key, cases: taken.document.count };
  };
}

const logger = new Logger({ serviceName: ANCHOR_ACTOR });
let lambdaHandler: ReturnType<typeof createChainAnchorHandler> | undefined;

export const handler = async (): Promise<{ readonly key: string; readonly cases: number }> => {
  if (!lambdaHandler) {
    const table = requireEnv('CASES_TABLE');
    lambdaHandler = createChainAnchorHandler({
      heads: new DynamoDbCaseStore(documentClient(), table),
      anchors: new S3ChainAnchors(new S3Client({}), requireEnv('ARCHIVE_BUCKET')),
      table,
      retentionDays: retentionDaysFromEnv(),
      clock: systemClock,
      logger,
    });
  }
  return lambdaHandler();
};

function retentionDaysFromEnv(): number {
  const text = requireEnv('ANCHOR_RETENTION_DAYS');
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(
      `environment variable ANCHOR_RETENTION_DAYS must be a whole number of days >= 1, got '${text}'`,
    );
  }
  return days;
}
