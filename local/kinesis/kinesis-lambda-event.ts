import { randomUUID } from 'node:crypto';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamRecord } from 'aws-lambda';
import { localArn } from '../emulators/local-aws-identity';

/** A record read from a shard, already in the shape Lambda delivers it, plus what the poller needs. */
export interface PolledRecord {
  readonly sequenceNumber: string;
  /** ApproximateArrivalTimestamp, in milliseconds since the epoch. */
  readonly arrivalMs: number;
  /**
   * The arrival time drain() may trust: kinesalite stamps records put into a shard created by a
   * split up to 1 s in the future; such a stamp says nothing about when the record was put, so it
   * is -Infinity here (the record is always treated as already present).
   */
  readonly trustedArrivalMs: number;
  readonly eventRecord: KinesisStreamRecord;
}

export interface StreamIdentity {
  readonly streamArn: string;
  readonly region: string;
  readonly functionName: string;
}

/**
 * Converts a GetRecords record into a Lambda Kinesis event record (base64 data, seconds timestamp).
 * `readIssuedAtMs` is when the GetRecords call that returned it was sent.
 */
export function toPolledRecord(
  record: KinesisRecord,
  shardId: string,
  stream: StreamIdentity,
  readIssuedAtMs: number,
): PolledRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  const arrivalMs = record.ApproximateArrivalTimestamp?.getTime() ?? readIssuedAtMs;
  return {
    sequenceNumber,
    arrivalMs,
    trustedArrivalMs: arrivalMs <= readIssuedAtMs ? arrivalMs : Number.NEGATIVE_INFINITY,
    eventRecord: {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.PartitionKey ?? '',
        sequenceNumber,
        data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
        approximateArrivalTimestamp: arrivalMs / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: localArn('iam', '', `role/${stream.functionName}-role`),
      awsRegion: stream.region,
      eventSourceARN: stream.streamArn,
    },
  };
}

/** A Lambda context for one local invocation. */
export function lambdaContext(stream: StreamIdentity, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: stream.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localArn('lambda', stream.region, `function:${stream.functionName}`),
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${stream.functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * What Lambda sends to a Kinesis event source mapping's on-failure destination (SQS/SNS): metadata
 * about the discarded records, not the records themselves; fetch them by sequence number.
 */
export interface KinesisFailureDestinationRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: FailureCondition;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

export function failureDestinationRecord(input: {
  readonly stream: StreamIdentity;
  readonly shardId: string;
  readonly records: readonly PolledRecord[];
  readonly condition: FailureCondition;
  readonly invokeCount: number;
  readonly requestId: string | undefined;
  /** 'Unhandled' when the last invocation threw; absent when it returned failures or never ran. */
  readonly functionError: string | undefined;
}): KinesisFailureDestinationRecord {
  const first = input.records[0];
  const last = input.records[input.records.length - 1];
  if (!first || !last) throw new RangeError('a failure destination record needs at least one record');
  return {
    requestContext: {
      requestId: input.requestId ?? randomUUID(),
      functionArn: localArn('lambda', input.stream.region, `function:${input.stream.functionName}`),
      condition: input.condition,
      approximateInvokeCount: input.invokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(input.functionError === undefined ? {} : { functionError: input.functionError }),
    },
    version: '1.0',
    timestamp: new Date().toISOString(),
    KinesisBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
      batchSize: input.records.length,
      streamArn: input.stream.streamArn,
    },
  };
}
