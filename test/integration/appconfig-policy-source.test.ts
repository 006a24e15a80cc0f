import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import type { KinesisStreamEvent } from 'aws-lambda';
import {
  AppConfigPolicySource,
  POLICY_FETCH_FAILED_METRIC,
  POLICY_REJECTED_METRIC,
  PolicyUnavailableError,
} from '../../lambdas/adapters/appconfig-policy-source';
import type { UsageEvent } from '../../lambdas/core/contract/usage-event';
import type { Policy } from '../../lambdas/core/policy/policy';
import { createAccountScorerHandler } from '../../lambdas/handlers/account-scorer';
import { POLICY_APPCONFIG_ENV, policySourceFromEnv } from '../../lambdas/handlers/policy-source-from-env';
import { AppConfigDataEmulator } from '../support/appconfig-data-emulator';
import { MemoryAccountStore, MemoryEnforcement, MemoryLinkStore } from '../../local/replay/memory-adapters';
import { extractionEvent, minutesAfter } from '../support/events';
import { testPolicy } from '../support/policy';
import { LocalDeadLetterSink } from '../../local/dead-letter-sink';

const ADDRESS = { application: 'cauterize', environment: 'production', profile: 'policy' } as const;

/** Records what the source logs and counts (the Powertools logger and metrics have the same methods). */
class Recorder {
  public readonly logs: Array<{ level: string; message: string; details: Record<string, unknown> }> = [];
  public readonly metrics: Array<{ name: string; value: number }> = [];
  public readonly logger = {
    info: (message: string, details: Record<string, unknown>) =>
      this.logs.push({ level: 'info', message, details }),
    warn: (message: string, details: Record<string, unknown>) =>
      this.logs.push({ level: 'warn', message, details }),
    error: (message: string, details: Record<string, unknown>) =>
      this.logs.push({ level: 'error', message, details }),
  } as unknown as Logger;
  public readonly metricSink = {
    addMetric: (name: string, _unit: unknown, value: number) => {
      this.metrics.push({ name, value });
    },
  } as Pick<Metrics, 'addMetric'>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Kinesis event carrying usage events, as the event source mapping delivers them. */
function kinesisEvent(events: readonly UsageEvent[], firstSequence: number): KinesisStreamEvent {
  return {
    Records: events.map((event, i) => ({
      eventID: `shardId-000000000000:${firstSequence + i}`,
      kinesis: {
        sequenceNumber: String(firstSequence + i),
        partitionKey: event.accountId,
        data: Buffer.from(JSON.stringify(event)).toString('base64'),
      },
    })),
  } as unknown as KinesisStreamEvent;
}

/** A day of extraction traffic, one request every 10 minutes: it scores over the shipped suspend threshold. */
function extractionDay(accountId: string): UsageEvent[] {
  return Array.from({ length: 144 }, (_, i) =>
    extractionEvent({
      accountId,
      eventId: `${accountId}-${i}`,
      ts: minutesAfter('2026-02-01T00:00:00.000Z', i * 10),
      topic: `math.topic-${i}`,
      conversationId: `${accountId}-c${i}`,
      promptHash: ((BigInt(i + 1) * 0x9e3779b97f4a7c15n) % (1n << 64n)).toString(16).padStart(16, '0'),
      accountCreatedAt: '2026-01-31T23:00:00.000Z',
    }),
  );
}

describe('Class: AppConfigPolicySource', () => {
  let emulator: AppConfigDataEmulator;
  let client: AppConfigDataClient;
  const shipped = testPolicy();
  const deployPolicy = (policy: unknown, versionLabel?: string) =>
    emulator.deploy(ADDRESS, { content: JSON.stringify(policy), versionLabel });
  const source = (recorder: Recorder, maxAgeSeconds = 60) =>
    new AppConfigPolicySource({
      ...ADDRESS,
      client,
      maxAgeSeconds,
      logger: recorder.logger,
      metrics: recorder.metricSink,
    });

  beforeEach(async () => {
    emulator = await AppConfigDataEmulator.start();
    // The real SDK client, pointed at the emulator as AWS_ENDPOINT_URL_APPCONFIGDATA would.
    client = new AppConfigDataClient({ endpoint: emulator.endpoint });
  });

  afterEach(async () => {
    client.destroy();
    await emulator.stop();
  });

  describe('Method: current', () => {
    it('reads the deployed policy, validated, and serves it from the cache until maxAge', async () => {
      // Prepare
      deployPolicy({ ...shipped, version: 'appconfig-1' });
      const recorder = new Recorder();
      const policies = source(recorder);

      // Act
      const first = await policies.current();
      const second = await policies.current();

      // Assess
      expect(first.version).toBe('appconfig-1');
      expect(first).toEqual({ ...shipped, version: 'appconfig-1' });
      expect(second).toBe(first);
      expect(emulator.calls).toEqual({ startConfigurationSession: 1, getLatestConfiguration: 1 });
      expect(recorder.logs).toEqual([
        expect.objectContaining({
          level: 'info',
          message: 'policy loaded',
          details: expect.objectContaining({ policyVersion: 'appconfig-1' }),
        }),
      ]);
    });

    it('rejects a version the schema refuses, naming key, value and rule, once, and keeps the last good one', async () => {
      // Prepare: a version AppConfig's JSON Schema validator cannot catch (a cross-field rule).
      deployPolicy({ ...shipped, version: 'good' });
      const recorder = new Recorder();
      const policies = source(recorder, 1);
      await policies.current();
      deployPolicy({ ...shipped, version: 'bad', thresholds: { review: 60, suspend: 50 } });
      await sleep(1100);

      // Act
      const kept = await policies.current();
      await sleep(1100);
      const keptAgain = await policies.current();

      // Assess
      expect(kept.version).toBe('good');
      expect(keptAgain.version).toBe('good');
      const rejections = recorder.logs.filter((log) => log.message === 'policy version rejected');
      expect(rejections).toHaveLength(1);
      expect(rejections[0]?.details).toMatchObject({
        source: 'appconfig:cauterize/production/policy',
        keptVersion: 'good',
        problems: expect.arrayContaining([
          expect.stringMatching(/^thresholds\.suspend: suspend must be greater than review \(got 50\)/),
        ]),
      });
      expect(recorder.metrics).toEqual([{ name: POLICY_REJECTED_METRIC, value: 1 }]);
    });

    it('takes a fixed version after a rejected one', async () => {
      // Prepare
      deployPolicy({ ...shipped, version: 'good' });
      const recorder = new Recorder();
      const policies = source(recorder, 1);
      await policies.current();
      deployPolicy({ ...shipped, version: 'bad', mode: 'audit' });
      await sleep(1100);
      await policies.current();
      deployPolicy({ ...shipped, version: 'fixed' });
      await sleep(1100);

      // Act
      const policy = await policies.current();

      // Assess
      expect(policy.version).toBe('fixed');
      expect(recorder.logs.map((log) => log.message)).toEqual([
        'policy loaded',
        'policy version rejected',
        'policy loaded',
      ]);
    });

    it('fails loudly at cold start when the only deployed version is invalid', async () => {
      // Prepare
      deployPolicy({ ...shipped, version: 'bad', windows: { scoringHours: 0, minRequests: 15 } });
      const recorder = new Recorder();

      // Act & Assess
      await expect(source(recorder).current()).rejects.toThrow(PolicyUnavailableError);
      await expect(source(recorder).current()).rejects.toThrow(
        /windows\.scoringHours: .*\(got 0\)[\s\S]*npx cauterize policy validate/,
      );
      expect(recorder.metrics[0]).toEqual({ name: POLICY_REJECTED_METRIC, value: 1 });
    });

    it('fails loudly at cold start when the profile does not exist', async () => {
      // Prepare
      const recorder = new Recorder();

      // Act & Assess
      await expect(source(recorder).current()).rejects.toThrow(
        /no valid policy from appconfig:cauterize\/production\/policy:\n {2}- cannot fetch: .*no configuration profile/,
      );
      expect(recorder.metrics).toEqual([{ name: POLICY_FETCH_FAILED_METRIC, value: 1 }]);
    });

    it('fails loudly when nothing is deployed yet and there is no bootstrap policy', async () => {
      // Prepare
      emulator.createProfile(ADDRESS);

      // Act & Assess
      await expect(source(new Recorder()).current()).rejects.toThrow(/has no deployed version/);
    });

    it('bridges the first rollout of a new stack with the bootstrap policy, then takes the deployed one', async () => {
      // Prepare
      emulator.createProfile(ADDRESS);
      const recorder = new Recorder();
      const policies = new AppConfigPolicySource({
        ...ADDRESS,
        client,
        maxAgeSeconds: 1,
        logger: recorder.logger,
        bootstrapPolicy: { ...shipped, version: 'bundled' },
      });

      // Act
      const before = await policies.current();
      const cached = await policies.current();
      deployPolicy({ ...shipped, version: 'deployed' });
      await sleep(1100);
      const after = await policies.current();

      // Assess
      expect([before.version, cached.version, after.version]).toEqual(['bundled', 'bundled', 'deployed']);
      expect(emulator.calls.getLatestConfiguration).toBe(2);
      expect(recorder.logs.map((log) => [log.message, log.details.previousVersion])).toEqual([
        ['no policy deployed in AppConfig yet: scoring under the bundled policy', undefined],
        ['policy loaded', 'bundled'],
      ]);
    });

    it('keeps the last good policy while AppConfig is unreachable', async () => {
      // Prepare
      deployPolicy({ ...shipped, version: 'good' });
      const recorder = new Recorder();
      const policies = source(recorder, 1);
      await policies.current();
      await emulator.stop();
      await sleep(1100);

      // Act
      const policy = await policies.current();

      // Assess
      expect(policy.version).toBe('good');
      expect(recorder.logs.at(-1)).toMatchObject({ level: 'warn', message: 'policy not fetched' });
      expect(recorder.metrics).toEqual([{ name: POLICY_FETCH_FAILED_METRIC, value: 1 }]);
      emulator = await AppConfigDataEmulator.start(); // afterEach stops it
    });
  });

  describe('In the scorer handler', () => {
    it('applies a changed policy once the cache expires, without restarting the handler', async () => {
      // Prepare: the account is allowlisted (never enforced) under v1, no longer under v2.
      const policyV1: Policy = {
        ...shipped,
        version: 'rollout-1',
        allowlist: { accounts: ['acct-rollout'], orgs: [] },
      };
      const policyV2: Policy = { ...shipped, version: 'rollout-2', allowlist: { accounts: [], orgs: [] } };
      deployPolicy(policyV1);
      const accounts = new MemoryAccountStore();
      const enforcement = new MemoryEnforcement({ accounts });
      const handler = createAccountScorerHandler({
        logger: new Logger({ logLevel: 'SILENT' }),
        accounts,
        links: new MemoryLinkStore(),
        enforcement,
        deadLetters: new LocalDeadLetterSink(),
        policy: source(new Recorder(), 1),
        clock: { now: () => new Date('2026-02-02T00:00:00.000Z') },
      });
      const day = extractionDay('acct-rollout');

      // Act
      await handler(kinesisEvent(day.slice(0, 96), 1000));
      const underV1 = accounts.stateOf('acct-rollout');
      deployPolicy(policyV2);
      await handler(kinesisEvent(day.slice(96, 120), 2000)); // still cached: v1
      const cached = accounts.stateOf('acct-rollout');
      await sleep(1100);
      await handler(kinesisEvent(day.slice(120), 3000));
      const underV2 = accounts.stateOf('acct-rollout');

      // Assess
      expect(underV1).toMatchObject({ policyVersion: 'rollout-1', status: 'ACTIVE' });
      expect(cached).toMatchObject({ policyVersion: 'rollout-1', status: 'ACTIVE' });
      expect(cached?.riskScore).toBeGreaterThanOrEqual(shipped.thresholds.suspend);
      expect(underV2).toMatchObject({ policyVersion: 'rollout-2', status: 'SUSPENDED' });
      expect(enforcement.cases()).toEqual([
        expect.objectContaining({ accountId: 'acct-rollout', policyVersion: 'rollout-2' }),
      ]);
    });
  });
});

describe('Function: policySourceFromEnv', () => {
  const logger = new Logger({ logLevel: 'SILENT' });

  it('reads AppConfig through AWS_ENDPOINT_URL_APPCONFIGDATA when the stack set the ids', async () => {
    // Prepare
    const emulator = await AppConfigDataEmulator.start();
    emulator.deploy(ADDRESS, { content: JSON.stringify({ ...testPolicy(), version: 'from-env' }) });
    const saved = process.env.AWS_ENDPOINT_URL_APPCONFIGDATA;
    process.env.AWS_ENDPOINT_URL_APPCONFIGDATA = emulator.endpoint;
    try {
      const env = {
        [POLICY_APPCONFIG_ENV.application]: ADDRESS.application,
        [POLICY_APPCONFIG_ENV.environment]: ADDRESS.environment,
        [POLICY_APPCONFIG_ENV.profile]: ADDRESS.profile,
        [POLICY_APPCONFIG_ENV.maxAgeSeconds]: '30',
      };

      // Act
      const policy = await policySourceFromEnv({ logger }, env).current();

      // Assess
      expect(policy.version).toBe('from-env');
      expect(emulator.calls.getLatestConfiguration).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_APPCONFIGDATA;
      else process.env.AWS_ENDPOINT_URL_APPCONFIGDATA = saved;
      await emulator.stop();
    }
  });

  it('falls back to POLICY_JSON when no AppConfig id is set (local runs)', async () => {
    // Prepare
    const env = { POLICY_JSON: JSON.stringify({ ...testPolicy(), version: 'from-json' }) };

    // Act
    const policy = await policySourceFromEnv({ logger }, env).current();

    // Assess
    expect(policy.version).toBe('from-json');
  });

  it('uses the policy bundled into the code ahead of POLICY_JSON (how the deployed scorer runs)', async () => {
    // Prepare
    const bundled = JSON.stringify({ ...testPolicy(), version: 'from-bundle' });
    const env = { POLICY_JSON: JSON.stringify({ ...testPolicy(), version: 'from-json' }) };

    // Act
    const policy = await policySourceFromEnv({ logger }, env, bundled).current();

    // Assess
    expect(policy.version).toBe('from-bundle');
  });

  it('fails the cold start on a bundled policy that breaks the schema, naming it and the key', () => {
    // Prepare
    const bundled = JSON.stringify({ ...testPolicy(), mode: 'audit' });

    // Act & Assess
    expect(() => policySourceFromEnv({ logger }, {}, bundled)).toThrow(
      /invalid policy the policy bundled into the code:\n {2}- mode: .*\(got "audit"\)/,
    );
  });

  it.each([
    [
      'only some of the AppConfig ids',
      { [POLICY_APPCONFIG_ENV.application]: 'app' },
      /POLICY_APPCONFIG_ENVIRONMENT, POLICY_APPCONFIG_PROFILE are not set but POLICY_APPCONFIG_APPLICATION are/,
    ],
    [
      'no bundled policy, no POLICY_JSON and no AppConfig ids',
      {},
      /no policy was bundled into the code, and neither POLICY_JSON nor the POLICY_APPCONFIG_\* identifiers are set/,
    ],
    [
      'a POLICY_JSON that breaks the schema',
      { POLICY_JSON: JSON.stringify({ ...testPolicy(), mode: 'audit' }) },
      /invalid policy POLICY_JSON:\n {2}- mode: .*\(got "audit"\)/,
    ],
    [
      'a cache age that is not a number',
      {
        [POLICY_APPCONFIG_ENV.application]: 'app',
        [POLICY_APPCONFIG_ENV.environment]: 'env',
        [POLICY_APPCONFIG_ENV.profile]: 'profile',
        [POLICY_APPCONFIG_ENV.maxAgeSeconds]: 'soon',
      },
      /POLICY_MAX_AGE_SECONDS must be a number of seconds > 0, got "soon"/,
    ],
  ])('refuses %s, naming the variables', (_name, env, message) => {
    // Act & Assess
    expect(() => policySourceFromEnv({ logger }, env)).toThrow(message);
  });
});
