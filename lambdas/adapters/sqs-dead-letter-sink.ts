import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterSink, RejectedRecord } from '../core/ports';

const SQS_BATCH_LIMIT = 10;

/** Rejected records go to an SQS queue with their reason, to be inspected, fixed and re-driven. */
export class SqsDeadLetterSink implements DeadLetterSink {
  public constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  public async send(records: readonly RejectedRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += SQS_BATCH_LIMIT) {
      const chunk = records.slice(i, i + SQS_BATCH_LIMIT);
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((record, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(record),
            MessageAttributes: { field: { DataType: 'String', StringValue: record.field } },
          })),
        }),
      );
      if (out.Failed && out.Failed.length > 0) {
        throw new Error(
          `${out.Failed.length} rejected records could not be dead-lettered: ${out.Failed[0]?.Message}`,
        );
      }
    }
  }
}
