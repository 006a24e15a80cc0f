import { randomUUID } from 'node:crypto';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { StepFunctionsTaskError } from './step-functions-task-error';

/* eslint-disable @typescript-eslint/no-explicit-any -- one generic adapter over many command shapes */
type CommandConstructor = new (input: any) => any;

const COMMANDS: Readonly<Record<string, CommandConstructor>> = {
  getItem: GetItemCommand,
  putItem: PutItemCommand,
  updateItem: UpdateItemCommand,
  deleteItem: DeleteItemCommand,
  query: QueryCommand,
  scan: ScanCommand,
  batchGetItem: BatchGetItemCommand,
  batchWriteItem: BatchWriteItemCommand,
  transactGetItems: TransactGetItemsCommand,
  transactWriteItems: TransactWriteItemsCommand,
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The four actions of the optimized integration (`arn:aws:states:::dynamodb:<action>`). */
const OPTIMIZED_ACTIONS = new Set(['getItem', 'putItem', 'updateItem', 'deleteItem']);

export type DynamoDbIntegrationKind = 'optimized' | 'aws-sdk';

/** Whether `action` can run through the given integration kind locally. */
export function isSupportedDynamoDbAction(kind: DynamoDbIntegrationKind, action: string): boolean {
  return kind === 'optimized' ? OPTIMIZED_ACTIONS.has(action) : action in COMMANDS;
}

/**
 * Calls DynamoDB the way a Step Functions DynamoDB Task does. The Task's Parameters, once the
 * runner has resolved their `.$` fields, are already the API input (attribute values in
 * `{ "S": ... }` form), so they go to the real SDK command unchanged, except binary values, which
 * Step Functions carries as base64 text.
 *
 * Service errors are rethrown under their Step Functions names so Retry/Catch match them:
 * `DynamoDB.<Exception>` for the optimized integration, `DynamoDb.<Exception>` for the AWS SDK one.
 */
export async function callDynamoDb(
  client: DynamoDBClient,
  kind: DynamoDbIntegrationKind,
  action: string,
  parameters: unknown,
): Promise<unknown> {
  const Command = COMMANDS[action];
  if (!Command || !isSupportedDynamoDbAction(kind, action)) {
    throw new StepFunctionsTaskError('States.Runtime', `dynamodb:${action} is not supported locally`);
  }
  let response: Record<string, unknown>;
  try {
    response = (await client.send(new Command(decodeBinary(parameters)))) as unknown as Record<
      string,
      unknown
    >;
  } catch (error) {
    throw toTaskError(kind, error);
  }
  const { $metadata, ...output } = response as { $metadata?: { requestId?: string } };
  const result = encodeBinary(output) as Record<string, unknown>;
  if (kind === 'aws-sdk') return result;
  // The optimized integration returns the SDK's HTTP metadata along with the API output.
  return {
    ...result,
    SdkHttpMetadata: { HttpStatusCode: 200 },
    SdkResponseMetadata: { RequestId: $metadata?.requestId ?? randomUUID() },
  };
}

function toTaskError(kind: DynamoDbIntegrationKind, error: unknown): StepFunctionsTaskError {
  const sdkError = error as {
    name?: string;
    message?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string };
  };
  if (!sdkError?.$fault || !sdkError.name) {
    return new StepFunctionsTaskError('States.TaskFailed', String(sdkError?.message ?? error), {
      cause: error,
    });
  }
  // The optimized integration reports validation and other generic failures as AmazonDynamoDBException,
  // and names a 500 after the Java SDK's InternalServerErrorException (the JS SDK's InternalServerError).
  const optimizedName: Record<string, string> = {
    ValidationException: 'AmazonDynamoDBException',
    InternalServerError: 'InternalServerErrorException',
  };
  const errorName =
    kind === 'optimized'
      ? `DynamoDB.${optimizedName[sdkError.name] ?? sdkError.name}`
      : `DynamoDb.${sdkError.name}`;
  const cause =
    `${sdkError.message ?? sdkError.name} (Service: DynamoDb, Status Code: ` +
    `${sdkError.$metadata?.httpStatusCode ?? 400}, Request ID: ${sdkError.$metadata?.requestId ?? 'local'})`;
  return new StepFunctionsTaskError(errorName, cause, { cause: error });
}

/** `{ "B": "<base64>" }` and `{ "BS": [...] }` become bytes for the SDK. */
function decodeBinary(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeBinary);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only) {
    if (only[0] === 'B' && typeof only[1] === 'string') return { B: Buffer.from(only[1], 'base64') };
    if (only[0] === 'BS' && Array.isArray(only[1]) && only[1].every((item) => typeof item === 'string')) {
      return { BS: only[1].map((item: string) => Buffer.from(item, 'base64')) };
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, decodeBinary(item)]));
}

/** Bytes in SDK output become base64 text, as Step Functions shows them; the result is plain JSON. */
function encodeBinary(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(encodeBinary);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => [key, encodeBinary(item)]),
  );
}
