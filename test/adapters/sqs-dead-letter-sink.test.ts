import {
  BatchRequestTooLong,
  QueueDoesNotExist,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsDeadLetterSink, type DeadLetterMessage } from '../../lambdas/adapters/sqs-dead-letter-sink';
import type { RejectedRecord } from '../../lambdas/core/ports';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-aws-identity';
import { SqsEndpoint, SQS_SIZE_LIMIT_BYTES, type BatchEntry } from '../support/sqs-endpoint';

/** A record the scorer could not read, as it dead-letters one. */
function rejectedRecord(i: number, field = 'ts'): RejectedRecord {
  return {
    sequenceNumber: String(49_000_000 + i),
    partitionKey: `acct-${i}`,
    field,
    reason: `${field} is not an ISO-8601 timestamp`,
    dataBase64: Buffer.from(JSON.stringify({ v: 1, eventId: `e-${i}`, ts: 'yesterday' })).toString('base64'),
    rejectedAt: '2026-02-05T18:00:00.000Z',
  };
}

/** A rejected record whose raw data is `bytes` long (a Kinesis record holds up to 1 MiB). */
function largeRejectedRecord(i: number, bytes: number): RejectedRecord {
  const data = Buffer.alloc(bytes);
  for (let k = 0; k < bytes; k += 1) data[k] = (k * 7 + i) % 256;
  return { ...rejectedRecord(i, 'promptHash'), dataBase64: data.toString('base64') };
}

/** A SendMessageBatch entry's size as SQS counts it: body, and each attribute's name, type and value. */
function entryBytes(entry: BatchEntry): number {
  let bytes = Buffer.byteLength(entry.MessageBody);
  for (const [name, a] of Object.entries(entry.MessageAttributes ?? {}))
    bytes += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + Buffer.byteLength(a.StringValue ?? '');
  return bytes;
}

/**
 * SqsDeadLetterSink through the real SQS client (JSON protocol, MD5 checks, retries) against a
 * loopback SQS endpoint (test/support/sqs-endpoint.ts).
 */
describe('Class: SqsDeadLetterSink', () => {
  let sqs: SqsEndpoint;
  let client: SQSClient;
  let queueUrl: string;
  let sink: SqsDeadLetterSink;

  beforeEach(async () => {
    sqs = await SqsEndpoint.start();
    client = new SQSClient({
      endpoint: sqs.endpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 3,
    });
    queueUrl = sqs.createQueue('cauterize-rejected');
    sink = new SqsDeadLetterSink(client, queueUrl);
  });

  afterEach(async () => {
    client.destroy();
    await sqs.stop();
  });

  const entriesOf = (i: number) => (sqs.requests[i]?.input.Entries ?? []) as BatchEntry[];

  describe('Method: send', () => {
    it('sends the records in batches of at most 10, each with the record as its body and its field as an attribute', async () => {
      // Prepare
      const records = Array.from({ length: 23 }, (_, i) => rejectedRecord(i, i % 2 === 0 ? 'ts' : 'tier'));

      // Act
      await sink.send(records);

      // Assess
      expect(sqs.requests.map((r) => [r.operation, r.input.QueueUrl])).toEqual([
        ['SendMessageBatch', queueUrl],
        ['SendMessageBatch', queueUrl],
        ['SendMessageBatch', queueUrl],
      ]);
      expect([0, 1, 2].map((i) => entriesOf(i).length)).toEqual([10, 10, 3]);
      expect(entriesOf(1).map((e) => e.Id)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      const queued = sqs.messages(queueUrl);
      expect(queued.map((m) => JSON.parse(m.body) as RejectedRecord)).toEqual(records);
      expect(queued.map((m) => m.attributes)).toEqual(
        records.map((r) => ({ field: { DataType: 'String', StringValue: r.field } })),
      );
    });

    it('splits large records over several calls, each within 256 KiB, and delivers them all in order', async () => {
      // Prepare: ten records of 100 KiB (about 137 KB as base64): no two fit in one call
      const records = Array.from({ length: 10 }, (_, i) => largeRejectedRecord(i, 100 * 1024));

      // Act
      await sink.send(records);

      // Assess
      expect(sqs.requests.length).toBeGreaterThan(1);
      for (const request of sqs.requests) {
        const entries = (request.input.Entries ?? []) as BatchEntry[];
        expect(entries.length).toBeLessThanOrEqual(10);
        expect(entries.reduce((sum, e) => sum + entryBytes(e), 0)).toBeLessThanOrEqual(SQS_SIZE_LIMIT_BYTES);
      }
      expect(sqs.messages(queueUrl).map((m) => JSON.parse(m.body) as RejectedRecord)).toEqual(records);
    });

    it('sends a record too large for one message with its data cut, its reason and its full size', async () => {
      // Prepare: a 600 KiB record (about 820 KB as base64)
      const record = largeRejectedRecord(3, 600 * 1024);

      // Act
      await sink.send([record]);

      // Assess: one message within the limit; every field kept but the data, of which a prefix
      const [entry] = entriesOf(0);
      expect(sqs.requests).toHaveLength(1);
      expect(entryBytes(entry as BatchEntry)).toBeLessThanOrEqual(SQS_SIZE_LIMIT_BYTES);
      const [queued] = sqs.messages(queueUrl);
      const message = JSON.parse(queued?.body ?? '{}') as DeadLetterMessage;
      const { dataBase64, ...rest } = message;
      expect(rest).toEqual({
        sequenceNumber: record.sequenceNumber,
        partitionKey: record.partitionKey,
        field: 'promptHash',
        reason: record.reason,
        rejectedAt: record.rejectedAt,
        dataTruncated: true,
        dataBytes: 600 * 1024,
      });
      expect(queued?.attributes).toEqual({ field: { DataType: 'String', StringValue: 'promptHash' } });
      expect(dataBase64.length % 4).toBe(0);
      expect(dataBase64.length).toBeGreaterThan(200_000);
      expect(record.dataBase64.startsWith(dataBase64)).toBe(true);
    });

    it('packs small records 10 to a call around one that needs a call of its own, in order', async () => {
      // Prepare: 12 small records, a 600 KiB one, 9 small ones
      const records = [
        ...Array.from({ length: 12 }, (_, i) => rejectedRecord(i)),
        largeRejectedRecord(12, 600 * 1024),
        ...Array.from({ length: 9 }, (_, i) => rejectedRecord(13 + i)),
      ];

      // Act
      await sink.send(records);

      // Assess: the large message leaves no room for another beside it
      expect(sqs.requests.map((_, i) => entriesOf(i).length)).toEqual([10, 2, 1, 9]);
      const queued = sqs.messages(queueUrl).map((m) => JSON.parse(m.body) as DeadLetterMessage);
      expect(queued.map((m) => m.sequenceNumber)).toEqual(records.map((r) => r.sequenceNumber));
      expect(queued.map((m) => m.dataTruncated)).toEqual(
        records.map((_, i) => (i === 12 ? true : undefined)),
      );
    });

    it('sends nothing for no records (SQS refuses an empty batch)', async () => {
      // Act
      await sink.send([]);

      // Assess
      expect(sqs.requests).toEqual([]);
    });

    it('stops at a batch the queue took only in part, naming how many failed and why', async () => {
      // Prepare: the queue refuses the two records with field 'poison', both in the second batch
      const records = Array.from({ length: 25 }, (_, i) =>
        rejectedRecord(i, i === 12 || i === 17 ? 'poison' : 'ts'),
      );
      sqs.rejectEntries((entry) =>
        (JSON.parse(entry.MessageBody) as RejectedRecord).field === 'poison'
          ? { Code: 'InternalError', Message: 'the queue could not store the message', SenderFault: false }
          : undefined,
      );

      // Act
      const sending = sink.send(records);

      // Assess: the error says so; the third batch was never sent, so the caller redelivers them all
      await expect(sending).rejects.toThrow(
        new Error('2 rejected records could not be dead-lettered: the queue could not store the message'),
      );
      expect(sqs.requests).toHaveLength(2);
      expect(sqs.messages(queueUrl)).toHaveLength(18);
    });

    it('retries a throttled request through the SDK', async () => {
      // Prepare
      sqs.injectFault({ kind: 'throttle' });

      // Act
      await sink.send([rejectedRecord(1)]);

      // Assess
      expect(sqs.requests).toHaveLength(2);
      expect(sqs.messages(queueUrl)).toHaveLength(1);
    });

    it("rethrows the service's own errors, as the SDK maps them", async () => {
      // Prepare
      const elsewhere = new SqsDeadLetterSink(client, `${sqs.endpoint}/000000000000/no-such-queue`);

      // Act
      const sending = elsewhere.send([rejectedRecord(1)]);

      // Assess
      await expect(sending).rejects.toBeInstanceOf(QueueDoesNotExist);
      expect(sqs.requests).toHaveLength(1);
    });
  });

  describe('The loopback queue', () => {
    const entry = (id: string, bytes: number) => ({ Id: id, MessageBody: 'x'.repeat(bytes) });

    it('refuses a batch over 262,144 bytes with BatchRequestTooLong, as SQS does', async () => {
      // Act
      const sending = client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [entry('a', 200_000), entry('b', 62_145)],
        }),
      );

      // Assess
      await expect(sending).rejects.toBeInstanceOf(BatchRequestTooLong);
      expect(sqs.messages(queueUrl)).toEqual([]);
    });

    it("refuses a message over the queue's MaximumMessageSize with InvalidParameterValue", async () => {
      // Prepare
      const small = sqs.createQueue('small', 1_024);

      // Act
      const sending = client.send(
        new SendMessageBatchCommand({ QueueUrl: small, Entries: [entry('a', 1_000), entry('b', 1_025)] }),
      );

      // Assess
      await expect(sending).rejects.toMatchObject({
        name: 'InvalidParameterValue',
        message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
      });
      expect(sqs.messages(small)).toEqual([]);
    });
  });
});
