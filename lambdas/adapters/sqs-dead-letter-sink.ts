import {
  SendMessageBatchCommand,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterSink, RejectedRecord } from '../core/ports';

/** Entries per SendMessageBatch call (an SQS limit). */
const SQS_BATCH_ENTRIES = 10;

/**
 * SQS's size limit, in bytes, for one message and for one SendMessageBatch call (the sum of its
 * messages), where a message is its body plus its attributes' names, data types and values:
 * 256 KiB. AWS raised the service maximum to 1 MiB in 2025, but a queue's MaximumMessageSize can
 * be lower and queues created before then may still hold 256 KiB; staying within it fits any queue.
 */
export const SQS_MAX_BYTES = 262_144;

/**
 * Kept free under SQS_MAX_BYTES: SQS does not document its count to the byte (how attribute data
 * types count, what else it adds), so a message or a batch is packed to at most
 * SQS_MAX_BYTES - SQS_SAFETY_MARGIN_BYTES (261,120 bytes), which costs at most a few more calls.
 */
export const SQS_SAFETY_MARGIN_BYTES = 1_024;

const MAX_BYTES = SQS_MAX_BYTES - SQS_SAFETY_MARGIN_BYTES;

/**
 * What a queue message's body holds: the rejected record as JSON. A record whose message would not
 * fit in MAX_BYTES keeps every field but its data: `dataBase64` holds the longest prefix of the
 * raw data that fits (whole bytes), `dataTruncated` is true and `dataBytes` is the raw data's full
 * size. The rest of that record is not on the queue: it can be read again from the stream by
 * `sequenceNumber` (in the shard its `partitionKey` maps to) while the stream still retains it.
 */
export interface DeadLetterMessage extends RejectedRecord {
  /** Present (true) only when `dataBase64` holds a prefix of the raw data, not all of it. */
  readonly dataTruncated?: true;
  /** The raw data's full size in bytes; present only with `dataTruncated`. */
  readonly dataBytes?: number;
}

interface SizedEntry {
  readonly body: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  readonly bytes: number;
}

/**
 * Rejected records go to an SQS queue with their reason, to be inspected, fixed and re-driven.
 * Calls hold at most 10 messages and at most MAX_BYTES of them, in the records' order; a record
 * too large for one message is sent with its data cut (see DeadLetterMessage), never left out.
 */
export class SqsDeadLetterSink implements DeadLetterSink {
  public constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  public async send(records: readonly RejectedRecord[]): Promise<void> {
    for (const chunk of batches(records.map(toEntry))) {
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((entry, index): SendMessageBatchRequestEntry => ({
            Id: String(index),
            MessageBody: entry.body,
            MessageAttributes: entry.attributes,
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

/** Consecutive runs of entries, each within SQS_BATCH_ENTRIES and MAX_BYTES. */
function batches(entries: readonly SizedEntry[]): SizedEntry[][] {
  const out: SizedEntry[][] = [];
  let current: SizedEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length === SQS_BATCH_ENTRIES || (current.length > 0 && bytes + entry.bytes > MAX_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The record's message, its data cut if the whole record does not fit in MAX_BYTES. */
function toEntry(record: RejectedRecord): SizedEntry {
  const attributes = { field: { DataType: 'String', StringValue: record.field } };
  const attributeBytes = attributesBytes(attributes);
  const whole = JSON.stringify(record);
  const wholeBytes = Buffer.byteLength(whole) + attributeBytes;
  if (wholeBytes <= MAX_BYTES) return { body: whole, attributes, bytes: wholeBytes };

  const dataBytes = Buffer.byteLength(record.dataBase64, 'base64');
  const cut = (dataBase64: string): DeadLetterMessage => ({
    ...record,
    dataBase64,
    dataTruncated: true,
    dataBytes,
  });
  const withoutData = Buffer.byteLength(JSON.stringify(cut(''))) + attributeBytes;
  if (withoutData > MAX_BYTES) {
    // Unreachable by construction: the other fields are a sequence number, a partition key (at
    // most 256 characters), a contract field path, a validation message and a timestamp.
    throw new Error(
      `rejected record ${record.sequenceNumber} does not fit in an SQS message even without its data ` +
        `(${withoutData} bytes)`,
    );
  }
  // Base64 is ASCII and needs no JSON escaping: one byte per character. Whole 4-character groups
  // keep the prefix valid base64 of whole raw bytes.
  const room = MAX_BYTES - withoutData;
  const body = JSON.stringify(cut(record.dataBase64.slice(0, room - (room % 4))));
  return { body, attributes, bytes: Buffer.byteLength(body) + attributeBytes };
}

/** The bytes message attributes add to a message's size: each name, data type and value. */
function attributesBytes(attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    if (value.StringValue !== undefined) bytes += Buffer.byteLength(value.StringValue);
    if (value.BinaryValue !== undefined) bytes += value.BinaryValue.byteLength;
  }
  return bytes;
}
