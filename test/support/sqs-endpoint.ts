import { createHash, randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from '../../local/emulators/local-aws-identity';
import {
  AwsJsonEndpoint,
  AwsJsonServiceError,
  type InjectedFault,
  type ReceivedRequest,
} from './aws-json-endpoint';

const MAX_BATCH_ENTRIES = 10;
/**
 * The most bytes a SendMessageBatch request may hold (its messages' sizes summed), and a queue's
 * MaximumMessageSize unless createQueue says otherwise: 256 KiB, SQS's limit before it was raised
 * to 1 MiB in 2025 (a queue may still be set to it), which SqsDeadLetterSink is built to fit.
 */
export const SQS_SIZE_LIMIT_BYTES = 262_144;

export interface SqsMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** A message as the queue holds it. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, SqsMessageAttribute>>;
}

interface Queue {
  readonly messages: QueuedMessage[];
  /** The queue's MaximumMessageSize, in bytes. */
  readonly maximumMessageSize: number;
}

/** One entry of a SendMessageBatch request, as received. */
export interface BatchEntry {
  readonly Id: string;
  readonly MessageBody: string;
  readonly MessageAttributes?: Readonly<Record<string, SqsMessageAttribute>>;
}

/** Why the queue refuses one entry of a batch (it lands in the response's `Failed`). */
export interface EntryFailure {
  readonly Code: string;
  readonly Message: string;
  readonly SenderFault: boolean;
}

/**
 * An SQS endpoint on loopback serving SendMessageBatch (the one operation SqsDeadLetterSink calls)
 * in the JSON 1.0 protocol the SDK speaks to SQS: up to 10 entries with distinct ids, each
 * answered in `Successful` (message id, MD5 of the body, which the SDK checks, and of the
 * attributes) or in `Failed` (see rejectEntries), so a batch can partly fail with HTTP 200. A
 * request naming no queue this endpoint created is QueueDoesNotExist.
 *
 * Sizes are enforced as SQS counts them: a message is its body's UTF-8 bytes plus, per attribute,
 * its name, data type and value. A request with a message over the queue's MaximumMessageSize is
 * refused whole with InvalidParameterValue (SendMessage's answer, "Message must be shorter than N
 * bytes"), and one whose messages sum to more than 262,144 bytes with BatchRequestTooLong.
 */
export class SqsEndpoint {
  private readonly queues = new Map<string, Queue>();
  private rejection: (entry: BatchEntry) => EntryFailure | undefined = () => undefined;

  private constructor(private readonly server: AwsJsonEndpoint) {}

  public static async start(): Promise<SqsEndpoint> {
    // The operation needs the endpoint, which needs the server: bound once both exist.
    const bound: { endpoint?: SqsEndpoint } = {};
    const server = await AwsJsonEndpoint.start({
      targetPrefix: 'AmazonSQS',
      operations: { SendMessageBatch: (input) => bound.endpoint?.sendMessageBatch(input) },
    });
    bound.endpoint = new SqsEndpoint(server);
    return bound.endpoint;
  }

  public get endpoint(): string {
    return this.server.endpoint;
  }

  /** Creates a queue; returns its URL. */
  public createQueue(
    name: string,
    /** Its MaximumMessageSize, in bytes. @default SQS_SIZE_LIMIT_BYTES */
    maximumMessageSize = SQS_SIZE_LIMIT_BYTES,
  ): string {
    const url = `${this.endpoint}/${LOCAL_ACCOUNT_ID}/${name}`;
    this.queues.set(url, { messages: [], maximumMessageSize });
    return url;
  }

  /** What the queue holds, in the order it was sent. */
  public messages(queueUrl: string): readonly QueuedMessage[] {
    return this.queues.get(queueUrl)?.messages ?? [];
  }

  /** From now on, entries for which `rule` returns a failure are refused (the others are sent). */
  public rejectEntries(rule: (entry: BatchEntry) => EntryFailure | undefined): void {
    this.rejection = rule;
  }

  /** The requests received, in order, as the SDK serialized them. */
  public get requests(): readonly ReceivedRequest[] {
    return this.server.requests;
  }

  public injectFault(fault: InjectedFault): void {
    this.server.injectFault(fault);
  }

  public async stop(): Promise<void> {
    await this.server.stop();
  }

  private sendMessageBatch(input: Record<string, unknown>) {
    const queue = this.queues.get(String(input.QueueUrl));
    if (!queue) {
      throw senderError('QueueDoesNotExist', 'NonExistentQueue', 'The specified queue does not exist.');
    }
    const entries = (input.Entries ?? []) as BatchEntry[];
    if (entries.length === 0) {
      throw senderError('EmptyBatchRequest', 'EmptyBatchRequest', 'There should be at least one entry.');
    }
    if (entries.length > MAX_BATCH_ENTRIES) {
      throw senderError(
        'TooManyEntriesInBatchRequest',
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
      );
    }
    if (new Set(entries.map((e) => e.Id)).size !== entries.length) {
      throw senderError(
        'BatchEntryIdsNotDistinct',
        'BatchEntryIdsNotDistinct',
        'Id values must be distinct.',
      );
    }
    const sizes = entries.map(messageBytes);
    if (sizes.some((size) => size > queue.maximumMessageSize)) {
      throw new AwsJsonServiceError(
        'com.amazon.coral.service#InvalidParameterValueException',
        `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageSize} bytes.`,
        400,
        'InvalidParameterValue;Sender',
      );
    }
    const total = sizes.reduce((sum, size) => sum + size, 0);
    if (total > SQS_SIZE_LIMIT_BYTES) {
      throw senderError(
        'BatchRequestTooLong',
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${SQS_SIZE_LIMIT_BYTES} bytes. You have sent ${total} bytes.`,
      );
    }
    const successful: Array<Record<string, string>> = [];
    const failed: Array<EntryFailure & { Id: string }> = [];
    for (const entry of entries) {
      const failure = this.rejection(entry);
      if (failure) {
        failed.push({ Id: entry.Id, ...failure });
        continue;
      }
      const messageId = randomUUID();
      const attributes = entry.MessageAttributes ?? {};
      queue.messages.push({ messageId, body: entry.MessageBody, attributes });
      successful.push({
        Id: entry.Id,
        MessageId: messageId,
        MD5OfMessageBody: md5(Buffer.from(entry.MessageBody, 'utf8')),
        ...(Object.keys(attributes).length > 0 ? { MD5OfMessageAttributes: attributesMd5(attributes) } : {}),
      });
    }
    return { Successful: successful, Failed: failed };
  }
}

function senderError(type: string, queryCode: string, message: string): AwsJsonServiceError {
  return new AwsJsonServiceError(type, message, 400, `AWS.SimpleQueueService.${queryCode};Sender`);
}

/** A message's size as SQS counts it: the body, and each attribute's name, data type and value. */
function messageBytes(entry: BatchEntry): number {
  let bytes = Buffer.byteLength(entry.MessageBody, 'utf8');
  for (const [name, attribute] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType, 'utf8');
    if (attribute.StringValue !== undefined) bytes += Buffer.byteLength(attribute.StringValue, 'utf8');
    if (attribute.BinaryValue !== undefined) bytes += Buffer.byteLength(attribute.BinaryValue, 'base64');
  }
  return bytes;
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * MD5OfMessageAttributes as SQS computes it: the attributes by name, each as its name, data type
 * (both length-prefixed), a transport byte (1 string or number, 2 binary) and its value
 * (length-prefixed).
 */
function attributesMd5(attributes: Readonly<Record<string, SqsMessageAttribute>>): string {
  const parts: Buffer[] = [];
  const prefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name] as SqsMessageAttribute;
    prefixed(Buffer.from(name, 'utf8'));
    prefixed(Buffer.from(attribute.DataType, 'utf8'));
    const binary = attribute.BinaryValue !== undefined;
    parts.push(Buffer.from([binary ? 2 : 1]));
    prefixed(
      binary
        ? Buffer.from(attribute.BinaryValue as string, 'base64')
        : Buffer.from(attribute.StringValue ?? '', 'utf8'),
    );
  }
  return md5(Buffer.concat(parts));
}
