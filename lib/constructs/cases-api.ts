import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { cauterizeFunction } from './cauterize-function';
import { handlerEntry } from '../package-files';
import { z } from 'zod';
import { assignmentSchema, noteInputSchema, statusChangeSchema } from '../../lambdas/core/cases/case-query';
import { tableIndexWildcardFinding } from '../nag-findings';
import { flattenForNag } from './case-archive';

/** The API handler; the same module runs in the local tests. */
export const CASES_API_ENTRY = handlerEntry('cases-api');

/** Why a role allowed a method on one case may hold a `*` in its resource. */
export const CASE_ID_WILDCARD_REASON =
  'The * stands for the {caseId} path parameter of this one method on this one API stage.';

/** Query parameters GET /cases accepts (the handler validates their values). */
export const LIST_QUERY_PARAMETERS = [
  'status',
  'kind',
  'from',
  'to',
  'accountId',
  'clusterId',
  'policyVersion',
  'action',
  'minScore',
  'maxScore',
  'limit',
  'nextToken',
] as const;

export interface CasesApiProps {
  readonly casesTable: dynamodb.ITable;
  /** Bus receiving CaseUpdated after each status change. */
  readonly enforcementBus: events.IEventBus;
  /**
   * Who may assume the compliance and investigator roles (their own IAM policies still have to
   * allow sts:AssumeRole).
   * @default - the account's root principal, i.e. delegated to the account's IAM administrators
   */
  readonly trustedPrincipal?: iam.IPrincipal;
  /**
   * Stage name (part of the URL).
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * Retention of the function's and the access logs' log groups.
   * @default logs.RetentionDays.ONE_YEAR - who read or changed which case is audit material
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Path of the handler module (exporting `handler`).
   * @default CASES_API_ENTRY
   */
  readonly entry?: string;
}

/**
 * The compliance cases API: API Gateway REST with AWS_IAM authorization on every method, request
 * validation (models from the same zod schemas the handler uses), a read-only compliance role and
 * an investigator role, each allowed exactly its methods by execute-api:Invoke. The handler checks
 * the caller's role again.
 *
 * GET /cases, GET /cases/{caseId}: both roles. POST /cases/{caseId}/status,
 * PUT /cases/{caseId}/assignee, POST /cases/{caseId}/notes: investigator only.
 */
export class CasesApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly function: nodejs.NodejsFunction;
  /** May list and read cases and their audit trails. */
  public readonly complianceRole: iam.Role;
  /** May also change status, assign and annotate cases. */
  public readonly investigatorRole: iam.Role;
  /** execute-api ARNs of the reading methods (GET /cases, GET /cases/{caseId}). */
  public readonly readMethodArns: readonly string[];
  /** execute-api ARNs of the methods that change a case (status, assignee, notes). */
  public readonly changeMethodArns: readonly string[];

  public constructor(scope: Construct, id: string, props: CasesApiProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'v1';
    if (!/^[A-Za-z0-9_]{1,128}$/.test(stageName)) {
      throw new Error(`stageName must be 1-128 letters, digits or '_', got '${stageName}': rename it`);
    }
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const trusted = props.trustedPrincipal ?? new iam.AccountRootPrincipal();

    this.complianceRole = new iam.Role(this, 'ComplianceRole', {
      assumedBy: trusted,
      description: 'Cauterize cases API: read-only (list cases, read a case with its audit trail)',
      maxSessionDuration: Duration.hours(4),
    });
    this.investigatorRole = new iam.Role(this, 'InvestigatorRole', {
      assumedBy: trusted,
      description: 'Cauterize cases API: read cases, change their status, assign and annotate them',
      maxSessionDuration: Duration.hours(4),
    });

    const logGroup = new logs.LogGroup(this, 'LogGroup', { retention });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Cauterize cases API handler',
    });
    logGroup.grantWrite(role);
    this.function = cauterizeFunction(this, 'Function', {
      entry: props.entry ?? CASES_API_ENTRY,
      memorySize: 512,
      timeout: Duration.seconds(29),
      role,
      logGroup,
      description: 'Cauterize: compliance cases API',
      environment: {
        CASES_TABLE: props.casesTable.tableName,
        EVENT_BUS_NAME: props.enforcementBus.eventBusName,
        INVESTIGATOR_ROLE_NAME: this.investigatorRole.roleName,
        COMPLIANCE_ROLE_NAME: this.complianceRole.roleName,
        POWERTOOLS_SERVICE_NAME: 'cauterize-cases-api',
      },
    });
    props.casesTable.grantReadWriteData(this.function);
    props.enforcementBus.grantPutEventsTo(this.function);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention });
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Cauterize compliance cases (IAM authorization)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      cloudWatchRole: true,
      deployOptions: {
        stageName,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
    });
    // Validation failures answer with what is wrong, not just "Invalid request body".
    for (const [responseId, type] of [
      ['BadRequestBody', apigw.ResponseType.BAD_REQUEST_BODY],
      ['BadRequestParameters', apigw.ResponseType.BAD_REQUEST_PARAMETERS],
    ] as const) {
      this.api.addGatewayResponse(responseId, {
        type,
        templates: {
          'application/json': '{"message": "invalid request: $context.error.validationErrorString"}',
        },
      });
    }

    const validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const model = (name: string, schema: z.ZodType) =>
      this.api.addModel(name, {
        contentType: 'application/json',
        modelName: name,
        schema: jsonSchemaOf(schema),
      });
    const integration = new apigw.LambdaIntegration(this.function, { proxy: true });
    const caseIdPath = { 'method.request.path.caseId': true };

    const cases = this.api.root.addResource('cases');
    const oneCase = cases.addResource('{caseId}');
    cases.addMethod('GET', integration, {
      requestValidator: validator,
      requestParameters: Object.fromEntries(
        LIST_QUERY_PARAMETERS.map((p) => [`method.request.querystring.${p}`, false]),
      ),
    });
    oneCase.addMethod('GET', integration, { requestValidator: validator, requestParameters: caseIdPath });
    const writes: Array<[string, string, apigw.Model]> = [
      ['status', 'POST', model('StatusChange', statusChangeSchema)],
      ['assignee', 'PUT', model('Assignment', assignmentSchema)],
      ['notes', 'POST', model('Note', noteInputSchema)],
    ];
    for (const [resource, method, requestModel] of writes) {
      oneCase.addResource(resource).addMethod(method, integration, {
        requestValidator: validator,
        requestParameters: caseIdPath,
        requestModels: { 'application/json': requestModel },
      });
    }

    const invoke = (method: string, apiPath: string) => this.api.arnForExecuteApi(method, apiPath, stageName);
    const reads = [invoke('GET', '/cases'), invoke('GET', '/cases/*')];
    const changes = writes.map(([resource, method]) => invoke(method, `/cases/*/${resource}`));
    this.readMethodArns = reads;
    this.changeMethodArns = changes;
    this.complianceRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: reads }),
    );
    this.investigatorRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: [...reads, ...changes] }),
    );

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Every method requires SigV4-signed IAM credentials of two roles; there is no anonymous traffic for a WAF to screen.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Authorization is AWS_IAM (the compliance and investigator roles), not Cognito.',
      },
    );
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-level logging role, which access and execution logging require; AWS maintains its policy.",
    });
    for (const [caseRole, arns] of [
      [this.complianceRole, reads],
      [this.investigatorRole, [...reads, ...changes]],
    ] as const) {
      Validations.of(caseRole).acknowledge(
        ...methodWildcardFindings(this, arns).map((id) => ({ id, reason: CASE_ID_WILDCARD_REASON })),
      );
    }
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x, the runtime the handler is bundled for and tested on (as the scorer).',
    });
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords take no resource ARN.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'CDK grants on the CMK-encrypted table and bus; covers GenerateDataKey(WithoutPlaintext) of that key.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason: 'CDK grants on the CMK-encrypted table; covers ReEncryptFrom/ReEncryptTo of that key.',
      },
      {
        id: tableIndexWildcardFinding(this, props.casesTable),
        reason: "Table grants cover the table's own indexes: listings query byStatus and byAccount.",
      },
    );
  }
}

/**
 * cdk-nag's AwsSolutions-IAM5 ids for the method ARNs with a `*` (the {caseId} path parameter), as
 * they appear in a policy of `consumer`: what a role allowed those methods has to acknowledge.
 */
export function methodWildcardFindings(consumer: IConstruct, arns: readonly string[]): string[] {
  const stack = Stack.of(consumer);
  return arns
    .map((arn) => flattenForNag(stack.resolve(arn)))
    .filter((arn) => arn.includes('*'))
    .map((arn) => `AwsSolutions-IAM5[Resource::${arn}]`);
}

/** An API Gateway model (JSON Schema draft 4) from a zod schema, so the two never disagree. */
function jsonSchemaOf(schema: z.ZodType): apigw.JsonSchema {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { target: 'draft-4', io: 'input' }) as Record<
    string,
    unknown
  >;
  return { schema: apigw.JsonSchemaVersion.DRAFT4, ...rest } as apigw.JsonSchema;
}
