import { Sha256 } from '@aws-crypto/sha256-js';
import { Logger } from '@aws-lambda-powertools/logger';
import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openLocalCases, type CaseConnection } from '../../cli/commands/cases';
import { ApiConsoleSource, regionOfApiUrl } from '../../console/server/api-source';
import { ConsoleServer } from '../../console/server/console-server';
import { ConsoleRequestError } from '../../console/server/console-source';
import { buildConsole } from '../../console/build';
import { newCase } from '../../lambdas/core/cases/case-service';
import { createCasesApiHandler } from '../../lambdas/handlers/cases-api';
import { tempDirPerSuite } from '../support/temp-dir';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
/** Two callers, as IAM knows them: access key -> secret and the role their session is in. */
const CALLERS = {
  AKIDINVESTIGATOR: { secret: 'investigator-secret', role: 'CauterizeInvestigator' },
  AKIDCOMPLIANCE: { secret: 'compliance-secret', role: 'CauterizeCompliance' },
} as const;

/**
 * What API Gateway with AWS_IAM authorization does in front of the cases handler: checks the SigV4
 * signature against the caller's secret (a request signed with anything else is refused 403),
 * names the caller's role ARN in the event, and hands the request to the real handler.
 */
async function verifySignature(
  request: IncomingMessage,
  body: string,
  url: URL,
): Promise<keyof typeof CALLERS | undefined> {
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      String(request.headers.authorization ?? ''),
    );
  if (!auth) return undefined;
  const [, accessKeyId, , region, service, signedHeaders, signature] = auth;
  const caller = CALLERS[accessKeyId as keyof typeof CALLERS];
  if (!caller || region !== REGION || service !== 'execute-api') return undefined;
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const headers = Object.fromEntries(signedHeaders!.split(';').map((h) => [h, String(request.headers[h])]));
  const signer = new SignatureV4({
    service: 'execute-api',
    region: REGION,
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: caller.secret },
    sha256: Sha256,
  });
  const expected = await signer.sign(
    {
      method: request.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(body ? { body } : {}),
    },
    { signingDate },
  );
  return String(expected.headers.authorization).endsWith(`Signature=${signature}`)
    ? (accessKeyId as keyof typeof CALLERS)
    : undefined;
}

describe('Class: ApiConsoleSource', () => {
  const dir = tempDirPerSuite('cauterize-console-api-');
  let connection: CaseConnection;
  let api: Server;
  let base: string;
  const seen: Array<{ authorization: string; principal: string }> = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    connection = await openLocalCases(join(dir(), 'store'));
    await connection.store.create([
      newCase({
        caseId: 'case-api0000000000000000000000-1',
        kind: 'account',
        accountIds: ['acct_api_1'],
        action: 'suspend',
        openedAt: '2026-02-03T10:00:00.000Z',
        riskScore: 88,
        policyVersion: 'v-test',
        triggeredAt: '2026-02-03T09:59:00.000Z',
        evidence: { reasons: [] },
        openedBy: 'cauterize-enforcement',
      }),
    ]);
    const handler = createCasesApiHandler({
      service: connection.service,
      roles: { investigator: CALLERS.AKIDINVESTIGATOR.role, compliance: CALLERS.AKIDCOMPLIANCE.role },
      logger: new Logger({ serviceName: 'console-api-test', logLevel: 'SILENT' }),
    });
    api = createServer((request, response) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
        const body = Buffer.concat(chunks).toString('utf8');
        const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
        const caller = await verifySignature(request, body, url);
        if (!caller) {
          response
            .writeHead(403, { 'content-type': 'application/json' })
            .end('{"message":"The request signature we calculated does not match"}');
          return;
        }
        const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/${CALLERS[caller].role}/someone`;
        seen.push({ authorization: String(request.headers.authorization), principal });
        const path = url.pathname.replace(/^\/v1/, '');
        const caseId = /^\/cases\/([^/]+)/.exec(path)?.[1];
        const resource = caseId ? path.replace(caseId, '{caseId}') : path;
        const result = await handler({
          httpMethod: request.method ?? 'GET',
          resource,
          path,
          pathParameters: caseId ? { caseId: decodeURIComponent(caseId) } : null,
          queryStringParameters: url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null,
          body: body || null,
          isBase64Encoded: false,
          requestContext: { identity: { userArn: principal } },
        } as unknown as APIGatewayProxyEvent);
        response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
      })();
    });
    api.listen(0, '127.0.0.1');
    await once(api, 'listening');
    base = `http://127.0.0.1:${(api.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    process.env = saved;
    api?.closeAllConnections();
    await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
    await connection?.close();
  });

  /** The default credential chain, as a user's shell would give it: environment variables. */
  const asCaller = (accessKeyId: keyof typeof CALLERS) => {
    process.env.AWS_ACCESS_KEY_ID = accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CALLERS[accessKeyId].secret;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    return new ApiConsoleSource({ url: base, region: REGION });
  };

  describe('Method: list, get, decide', () => {
    it('signs every request with the default credentials, so the API maps the caller to its role', async () => {
      // Prepare
      const source = asCaller('AKIDINVESTIGATOR');
      // Act
      const page = await source.list({ status: 'OPEN', limit: '10' });
      const detail = await source.get('case-api0000000000000000000000-1');
      const decided = await source.decide('case-api0000000000000000000000-1', {
        decision: 'CONFIRMED',
        note: 'matches the campaign seen last week',
      });
      // Assess
      expect(page.cases.map((c) => c.caseId)).toEqual(['case-api0000000000000000000000-1']);
      expect(detail.verification.ok).toBe(true);
      expect(decided.case.status).toBe('CONFIRMED');
      expect(decided.entry.actor).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/CauterizeInvestigator/someone`);
      expect(seen.at(-1)?.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDINVESTIGATOR\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
      );
    });

    it('passes on the API’s refusal of the compliance role', async () => {
      // Prepare
      const source = asCaller('AKIDCOMPLIANCE');
      // Act
      const refusal = source.decide('case-api0000000000000000000000-1', {
        decision: 'FALSE_POSITIVE',
        note: 'compliance tries',
      });
      // Assess
      await expect(refusal).rejects.toThrow(ConsoleRequestError);
      await expect(refusal).rejects.toMatchObject({
        statusCode: 403,
        message: expect.stringMatching(/only the investigator role changes cases/),
      });
      expect((await source.get('case-api0000000000000000000000-1')).case.status).toBe('CONFIRMED');
    });

    it('is refused by the API when the signature does not match', async () => {
      // Prepare
      process.env.AWS_ACCESS_KEY_ID = 'AKIDINVESTIGATOR';
      process.env.AWS_SECRET_ACCESS_KEY = 'a stolen key id with the wrong secret';
      const source = new ApiConsoleSource({ url: base, region: REGION });
      // Act, Assess
      await expect(source.list({})).rejects.toMatchObject({ statusCode: 403 });
    });
  });

  describe('Method: constructor', () => {
    it('takes the region from an execute-api host, and refuses plain http to anything but loopback', () => {
      expect(regionOfApiUrl(new URL('https://abc123.execute-api.ap-southeast-2.amazonaws.com/v1'))).toBe(
        'ap-southeast-2',
      );
      expect(() => new ApiConsoleSource({ url: 'http://cases.example.com/v1', region: REGION })).toThrow(
        /use https/,
      );
    });
  });

  describe('Class: ConsoleServer over the API', () => {
    it('never hands a credential to the browser', async () => {
      // Prepare
      await buildConsole();
      const source = asCaller('AKIDINVESTIGATOR');
      const server = await ConsoleServer.start({ source });
      try {
        // Act
        const answers = await Promise.all(
          ['', 'api/session', 'api/cases', 'api/cases/case-api0000000000000000000000-1', 'assets/app.js'].map(
            async (path) => {
              const response = await fetch(`${server.url}${path}`);
              return `${JSON.stringify([...response.headers])}${await response.text()}`;
            },
          ),
        );
        // Assess
        for (const text of answers) {
          expect(text).not.toContain('AKIDINVESTIGATOR');
          expect(text).not.toContain('investigator-secret');
          expect(text).not.toMatch(/AWS4-HMAC-SHA256|x-amz-/i);
        }
        expect(await (await fetch(`${server.url}api/session`)).json()).toMatchObject({
          mode: 'api',
          role: null,
        });
      } finally {
        await server.close();
      }
    });
  });
});
