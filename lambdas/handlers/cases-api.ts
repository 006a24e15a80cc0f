import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { documentClient } from '../adapters/aws-clients';
import { DynamoDbCaseStore } from '../adapters/dynamodb-case-store';
import { EventBridgeCaseEvents, sdkPutEvents } from '../adapters/eventbridge-case-events';
import {
  AccessDeniedError,
  isAllowed,
  roleOfPrincipal,
  type CaseOperation,
  type CaseRoleNames,
} from '../core/cases/case-access';
import { AuditConflictError, CaseNotFoundError, StaleCaseError } from '../core/cases/case-ports';
import { CaseValidationError } from '../core/cases/case-query';
import { CaseService } from '../core/cases/case-service';
import { InvalidTransitionError } from '../core/cases/status-transitions';
import { systemClock } from '../core/ports';
import { requireEnv } from './env';

/** The API's resources (lib/constructs/cases-api.ts defines the same). */
export const CASES_API_ROUTES = {
  'GET /cases': 'list',
  'GET /cases/{caseId}': 'get',
  'POST /cases/{caseId}/status': 'changeStatus',
  'PUT /cases/{caseId}/assignee': 'assign',
  'POST /cases/{caseId}/notes': 'addNote',
} as const satisfies Record<string, CaseOperation>;

export interface CasesApiOptions {
  readonly service: CaseService;
  readonly roles: CaseRoleNames;
  readonly logger: Logger;
}

const PAGE_PARAMETERS = new Set(['limit', 'nextToken']);

/**
 * The cases API behind API Gateway (REST, proxy integration, AWS_IAM authorization). IAM policies
 * already limit each role to its methods; the handler checks the caller's role again.
 */
export function createCasesApiHandler(options: CasesApiOptions) {
  const { service, roles, logger } = options;
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const route = `${event.httpMethod} ${event.resource}`;
    const operation = (CASES_API_ROUTES as Record<string, CaseOperation>)[route];
    const principal = event.requestContext?.identity?.userArn ?? '';
    try {
      if (operation === undefined) return respond(404, { message: `no route ${route}` });
      if (!isAllowed(roleOfPrincipal(principal, roles), operation)) {
        throw new AccessDeniedError(principal, operation);
      }
      const caseId = event.pathParameters?.caseId ?? '';
      switch (operation) {
        case 'list': {
          const query = event.queryStringParameters ?? {};
          const filter = Object.fromEntries(Object.entries(query).filter(([k]) => !PAGE_PARAMETERS.has(k)));
          const page = Object.fromEntries(Object.entries(query).filter(([k]) => PAGE_PARAMETERS.has(k)));
          return respond(200, await service.list(filter, page));
        }
        case 'get': {
          const detail = await service.get(caseId);
          return respond(200, {
            case: detail.record,
            audit: detail.audit,
            verification: detail.verification,
          });
        }
        case 'changeStatus':
          return changed(await service.changeStatus(caseId, parseBody(event), principal));
        case 'assign':
          return changed(await service.assign(caseId, parseBody(event), principal));
        case 'addNote':
          return changed(await service.addNote(caseId, parseBody(event), principal));
      }
    } catch (error) {
      return errorResponse(error, route, principal, logger);
    }
  };
}

function changed(outcome: Awaited<ReturnType<CaseService['changeStatus']>>): APIGatewayProxyResult {
  return respond(200, { case: outcome.record, entry: outcome.entry, changed: outcome.changed });
}

function parseBody(event: APIGatewayProxyEvent): unknown {
  if (!event.body) throw new CaseValidationError(['(body): expected a JSON object']);
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new CaseValidationError(['(body): not valid JSON']);
  }
}

function errorResponse(
  error: unknown,
  route: string,
  principal: string,
  logger: Logger,
): APIGatewayProxyResult {
  if (error instanceof CaseValidationError) {
    return respond(400, { message: error.message, problems: error.problems });
  }
  if (error instanceof AccessDeniedError) {
    logger.warn('case access refused', { route, principal });
    return respond(403, { message: error.message });
  }
  if (error instanceof CaseNotFoundError) return respond(404, { message: error.message });
  if (
    error instanceof InvalidTransitionError ||
    error instanceof StaleCaseError ||
    error instanceof AuditConflictError
  ) {
    return respond(409, { message: error.message });
  }
  logger.error('cases API request failed', { route, principal, error: error as Error });
  return respond(500, { message: 'internal error; the request id is in the logs' });
}

function respond(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

// Built once per execution environment, from the environment the stack sets.
const logger = new Logger({ serviceName: 'cauterize-cases-api' });
let lambdaHandler: ReturnType<typeof createCasesApiHandler> | undefined;

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  lambdaHandler ??= createCasesApiHandler({
    logger,
    roles: {
      investigator: requireEnv('INVESTIGATOR_ROLE_NAME'),
      compliance: requireEnv('COMPLIANCE_ROLE_NAME'),
    },
    service: new CaseService({
      store: new DynamoDbCaseStore(documentClient(), requireEnv('CASES_TABLE')),
      events: new EventBridgeCaseEvents(
        sdkPutEvents(new EventBridgeClient({})),
        requireEnv('EVENT_BUS_NAME'),
      ),
      clock: systemClock,
    }),
  });
  return lambdaHandler(event);
};
