import { QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetterSink } from '../../lambdas/adapters/sqs-dead-letter-sink';
import type { RejectedRecord } from '../../lambdas/core/ports';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-aws-identity';
import { SqsEndpoint, type BatchEntry } from '../support/sqs-endpoint';

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
});
