import * as path from 'node:path';
import { Aspects, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { policyToJson } from '../../lambdas/core/policy/policy';
import {
  costProfileSettings,
  DEFAULT_EXPECTED_EVENTS_PER_SECOND,
  parseCostProfile,
  type CostProfileName,
  type CostProfileSettings,
  type WorkflowType,
} from '../cost-profile';
import { tableIndexWildcardFinding } from '../nag-findings';
import { SHIPPED_POLICY_FILE } from '../package-files';
import { loadPolicyFile } from '../policy-file';
import { checkInteger } from '../validate-props';
import { CaseArchiver, DEFAULT_ARCHIVE_RETENTION_DAYS } from './case-archive';
import { CASE_ID_WILDCARD_REASON, CasesApi, methodWildcardFindings } from './cases-api';
import { CauterizeStore, type CauterizeStoreProps, type CauterizeStoreResources } from './cauterize-store';
import { ChainAnchor } from './chain-anchor';
import { ClusterEnforcementWorkflow } from './cluster-enforcement-workflow';
import { EnforcementWorkflow } from './enforcement-workflow';
import { PipelineMonitoring } from './pipeline-monitoring';
import { PolicyConfig } from './policy-config';
import { ReinstatementWorkflow } from './reinstatement-workflow';
import { UsageStreamScorer } from './usage-stream-scorer';

/**
 * The store's props (what it creates, when `store` is not given) and the pipeline's. Props the
 * store has too are documented here again where the pipeline gives them more to do.
 */
export interface CauterizeProps extends CauterizeStoreProps {
  /**
   * The stateful half from elsewhere, e.g. a CauterizeStore in a stack of its own (our app's
   * layout), so the pipeline can be redeployed or destroyed without touching the data. Not with
   * usageStream, enforcementBus, encryptionKey or the props that size what the store creates.
   * @default - a CauterizeStore created here, from the props below
   */
  readonly store?: CauterizeStoreResources;
  /**
   * The usage stream, when another team owns it (usually the gateway team): usage events
   * (contract v1), partition key = accountId. Import an encrypted stream with its key
   * (`Stream.fromStreamAttributes({ streamArn, encryptionKey })`) so the scorer may decrypt it.
   * @default - a new stream encrypted with the key, on-demand or sized by the cost profile
   */
  readonly usageStream?: kinesis.IStream;
  /**
   * A customer-managed key for the tables, queues, archive and what else Cauterize creates. Its key
   * policy must let EventBridge use it for a bus Cauterize creates, and CloudWatch for an alarm
   * topic Cauterize creates (statements Cauterize adds itself to a key it creates).
   * @default - a new key, rotated yearly, retained on stack deletion
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Topic every alarm notifies, on alarm and back to OK.
   * @default - a new topic encrypted with the key, unless createAlarmTopic is false
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Whether to create the alarm topic when none is given. False leaves the alarms on the dashboard
   * only (or on alarmTopic).
   * @default true
   */
  readonly createAlarmTopic?: boolean;
  /**
   * Policy file (YAML or JSON), absolute or relative to the working folder (the CDK app's, where
   * `cdk synth` runs). It is validated at synth: a bad policy fails with the key, value and rule.
   * @default - the policy shipped with Cauterize (config/policy.yaml in the package)
   */
  readonly policyFile?: string;
  /**
   * The policy as JSON text instead of a file, e.g. `policyToJson(policy)` of one built in code.
   * Validated as a file is. Not with policyFile.
   * @default - the policy of policyFile
   */
  readonly policyJson?: string;
  /**
   * Deployment profile: `default` (on-demand stream and tables, 60 s batches, Standard workflows:
   * a suspension within about a minute of a crossing) or `optimised` (provisioned stream sized
   * from expectedEventsPerSecond, 300 s batches, accounts and links tables provisioned with auto
   * scaling, the account workflow on Express: within about 6 minutes, for a fraction of the price).
   * It only chooses defaults: every other prop here still wins. docs/performance.md, "Cost profiles".
   * @default 'default'
   */
  readonly costProfile?: CostProfileName;
  /**
   * Sustained usage events per second the optimised profile sizes the stream's shards and the
   * tables' auto scaling range for (the default profile sizes nothing).
   * @default 1000
   */
  readonly expectedEventsPerSecond?: number;
  /**
   * Memory of the scorer, in MB (128 to 10240).
   * @default 1024
   */
  readonly scorerMemorySizeMb?: number;
  /**
   * Most records per scorer invocation (1 to 10000).
   * @default - the profile's (5000 in both)
   */
  readonly scorerBatchSize?: number;
  /**
   * Longest the scorer's event source mapping waits to fill a batch, in seconds (0 to 300): the
   * cost of account-state writes against time to suspension, while batches do not fill first
   * (see scorerParallelizationFactor). docs/performance.md, "Batch span".
   * @default - the profile's (60 s, optimised 300 s)
   */
  readonly scorerBatchingWindowSeconds?: number;
  /**
   * Concurrent scorer batches per shard (1 to 10). A busy shard fills its batches before the window
   * passes, so this, not the window, decides how much event time a batch spans at scale.
   * @default - the profile's (10 in both)
   */
  readonly scorerParallelizationFactor?: number;
  /**
   * Type of the account enforcement workflow: EXPRESS costs about 1/200 of STANDARD per run and
   * keeps exactly-once effects through its conditional writes. The cluster workflow stays STANDARD.
   * @default - the profile's ('STANDARD', optimised 'EXPRESS')
   */
  readonly enforcementWorkflowType?: WorkflowType;
  /**
   * Type of the cluster workflow for clusters below clusterDistributedMapThreshold. EXPRESS adds an
   * Express cluster workflow (inline Map) for those; the STANDARD one, which holds the Distributed
   * Map (Step Functions runs it in STANDARD workflows only), keeps the larger clusters. Both claim
   * each case by a conditional write, so a crossing is enforced once whichever machine runs it.
   * @default - the profile's ('STANDARD', optimised 'EXPRESS')
   */
  readonly clusterWorkflowType?: WorkflowType;
  /**
   * Clusters with at least this many members run them as Express children of the cluster
   * workflow's Distributed Map instead of an inline Map.
   * @default - the profile's (100, optimised 500)
   */
  readonly clusterDistributedMapThreshold?: number;
  /**
   * Whether the workflows' execution logs carry each state's input and output.
   * @default - the profile's (true, optimised false)
   */
  readonly workflowLogExecutionData?: boolean;
  /**
   * Who may assume the cases API's compliance and investigator roles (their own IAM policies
   * still have to allow sts:AssumeRole).
   * @default - the account's root principal, i.e. delegated to the account's IAM administrators
   */
  readonly casesApiTrustedPrincipal?: iam.IPrincipal;
}

/**
 * Cauterize in one construct, for any stack of any CDK app: the usage-stream scorer, the account,
 * cluster and reinstatement workflows, the compliance cases API, the case archiver and chain
 * anchor, the policy in AppConfig, alarms and a dashboard, on top of a store (key, stream, tables,
 * bus, archive) created here or brought in. The stream, the bus, the key and the alarm topic can
 * each be brought in; everything else is created.
 *
 * Lambda code is bundled with esbuild at the synth of the app that uses it. cdk-nag's AwsSolutions
 * checks pass on what it creates, every remaining finding acknowledged with its reason.
 */
export class Cauterize extends Construct {
  /** The profile's settings the pipeline was built with (props given explicitly win over them). */
  public readonly profile: CostProfileSettings;
  /** The store created here; undefined when `store` was given. */
  public readonly store?: CauterizeStore;
  public readonly encryptionKey: kms.IKey;
  public readonly usageStream: kinesis.IStream;
  public readonly enforcementBus: events.IEventBus;
  public readonly accountsTable: dynamodb.ITable;
  public readonly linksTable: dynamodb.ITable;
  public readonly casesTable: dynamodb.ITable;
  /** The Object Lock archive of closed cases and chain anchors (undefined only when a store came without one). */
  public readonly caseArchiveBucket?: s3.IBucket;
  /** The topic the alarms notify, created or given; undefined when there is none. */
  public readonly alarmTopic?: sns.ITopic;
  /** The validated policy the stacks were synthesized with, as compact JSON. */
  public readonly policyJson: string;
  public readonly scorer: UsageStreamScorer;
  public readonly enforcement: EnforcementWorkflow;
  /**
   * One cluster case and the suspension of its members, per cluster crossing (STANDARD; with an
   * Express cluster workflow, only the clusters from the Distributed Map threshold on).
   */
  public readonly clusterEnforcement: ClusterEnforcementWorkflow;
  /** The EXPRESS cluster workflow for clusters below the Distributed Map threshold, if the profile has one. */
  public readonly expressClusterEnforcement?: ClusterEnforcementWorkflow;
  /** Sets accounts back to ACTIVE when their case is cleared as a false positive. */
  public readonly reinstatement: ReinstatementWorkflow;
  public readonly monitoring: PipelineMonitoring;
  /** The policy in AWS AppConfig: the scorer reads it at run time, so changes need no code deploy. */
  public readonly policyConfig: PolicyConfig;
  /** The compliance cases API (IAM authorization) and its compliance and investigator roles. */
  public readonly casesApi: CasesApi;
  /** Archives CLOSED cases to the Object Lock bucket. */
  public readonly caseArchiver?: CaseArchiver;
  /** Anchors every case's audit chain head to the Object Lock bucket, hourly. */
  public readonly chainAnchor?: ChainAnchor;

  public constructor(scope: Construct, id: string, props: CauterizeProps = {}) {
    super(scope, id);
    checkProps(props);
    this.profile = costProfileSettings(
      parseCostProfile(props.costProfile ?? 'default', 'costProfile'),
      props.expectedEventsPerSecond ?? DEFAULT_EXPECTED_EVENTS_PER_SECOND,
    );
    this.policyJson =
      props.policyJson ?? policyToJson(loadPolicyFile(path.resolve(props.policyFile ?? SHIPPED_POLICY_FILE)));

    const store = props.store ?? this.createStore(props);
    this.store = props.store ? undefined : (store as CauterizeStore);
    const { encryptionKey, usageStream, accountsTable, linksTable, casesTable, enforcementBus } = store;
    this.encryptionKey = encryptionKey;
    this.usageStream = usageStream;
    this.accountsTable = accountsTable;
    this.linksTable = linksTable;
    this.casesTable = casesTable;
    this.enforcementBus = enforcementBus;
    this.caseArchiveBucket = store.caseArchiveBucket;
    // Before any grant: a grant on a key of a stack this one already depends on goes into this
    // stack's IAM policies, never into the other stack's key policy (no dependency cycle).
    dependOnStacksOf(this, [
      encryptionKey,
      usageStream,
      accountsTable,
      linksTable,
      casesTable,
      enforcementBus,
    ]);

    const logExecutionData = props.workflowLogExecutionData ?? this.profile.workflowLogExecutionData;
    this.enforcement = new EnforcementWorkflow(this, 'Enforcement', {
      accountsTable,
      casesTable,
      enforcementBus,
      workflowType: props.enforcementWorkflowType ?? this.profile.enforcementWorkflowType,
      logExecutionData,
    });
    const distributedMapThreshold =
      props.clusterDistributedMapThreshold ?? this.profile.clusterDistributedMapThreshold;
    this.clusterEnforcement = new ClusterEnforcementWorkflow(this, 'ClusterEnforcement', {
      accountsTable,
      casesTable,
      enforcementBus,
      distributedMapThreshold,
      logExecutionData,
    });
    if ((props.clusterWorkflowType ?? this.profile.clusterWorkflowType) === 'EXPRESS') {
      this.expressClusterEnforcement = new ClusterEnforcementWorkflow(this, 'ExpressClusterEnforcement', {
        accountsTable,
        casesTable,
        enforcementBus,
        workflowType: 'EXPRESS',
        logExecutionData,
      });
    }
    // Its findings name the state machine's logical id, which the stack may still pin after this
    // constructor: acknowledged at synthesis, once ids are final.
    const clusterEnforcement = this.clusterEnforcement;
    Aspects.of(this).add({
      visit: (node) => {
        if (node === clusterEnforcement) clusterEnforcement.acknowledgeDistributedMapFindings();
      },
    });
    this.reinstatement = new ReinstatementWorkflow(this, 'Reinstatement', {
      accountsTable,
      casesTable,
      enforcementBus,
    });

    const batchingWindowSeconds =
      props.scorerBatchingWindowSeconds ?? this.profile.scorerBatchingWindowSeconds;
    this.scorer = new UsageStreamScorer(this, 'Scorer', {
      usageStream,
      accountsTable,
      linksTable,
      casesTable,
      enforcementStateMachine: this.enforcement.stateMachine,
      clusterEnforcementStateMachine: this.clusterEnforcement.stateMachine,
      smallClusters: this.expressClusterEnforcement && {
        stateMachine: this.expressClusterEnforcement.stateMachine,
        belowMembers: distributedMapThreshold,
      },
      policyJson: this.policyJson,
      queueEncryptionKey: encryptionKey,
      memorySizeMb: props.scorerMemorySizeMb,
      batchSize: props.scorerBatchSize ?? this.profile.scorerBatchSize,
      parallelizationFactor: props.scorerParallelizationFactor ?? this.profile.scorerParallelizationFactor,
      maxBatchingWindowSeconds: batchingWindowSeconds,
    });

    this.alarmTopic =
      props.alarmTopic ?? (props.createAlarmTopic === false ? undefined : this.createAlarmTopic());
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      usageStream,
      scorerFunction: this.scorer.function,
      failureQueue: this.scorer.failureQueue,
      rejectedQueue: this.scorer.rejectedQueue,
      enforcementStateMachine: this.enforcement.stateMachine,
      otherWorkflows: {
        ClusterEnforcement: this.clusterEnforcement.stateMachine,
        ...(this.expressClusterEnforcement && {
          ExpressClusterEnforcement: this.expressClusterEnforcement.stateMachine,
        }),
        Reinstatement: this.reinstatement.stateMachine,
      },
      // Records wait up to a window before their batch is handed over: that is not falling behind.
      iteratorAgeThresholdSeconds: Math.max(60, 3 * batchingWindowSeconds),
      alarmTopic: this.alarmTopic,
    });

    // A policy deployment that makes the scorer fail is rolled back by AppConfig.
    this.policyConfig = new PolicyConfig(this, 'PolicyConfig', {
      policyJson: this.policyJson,
      rollbackAlarms: [this.monitoring.scorerErrorsAlarm],
      alarmTopic: this.alarmTopic,
    });
    this.policyConfig.grantReadTo(this.scorer.function);
    for (const [name, value] of Object.entries(this.policyConfig.environmentVariables)) {
      this.scorer.function.addEnvironment(name, value);
    }

    this.casesApi = new CasesApi(this, 'CasesApi', {
      casesTable,
      enforcementBus,
      trustedPrincipal: props.casesApiTrustedPrincipal,
    });
    if (this.caseArchiveBucket) {
      const compliance = (JSON.parse(this.policyJson) as { compliance?: { archiveRetentionDays?: number } })
        .compliance;
      const retentionDays = compliance?.archiveRetentionDays ?? DEFAULT_ARCHIVE_RETENTION_DAYS;
      this.caseArchiver = new CaseArchiver(this, 'CaseArchiver', {
        casesTable,
        archiveBucket: this.caseArchiveBucket,
        retentionDays,
        queueEncryptionKey: encryptionKey,
      });
      // Anchors are kept as long as archived cases: an old anchor still proves a rollback to before it.
      this.chainAnchor = new ChainAnchor(this, 'ChainAnchor', {
        casesTable,
        archiveBucket: this.caseArchiveBucket,
        retentionDays,
      });
    }
  }

  public get enforcementStateMachine(): sfn.StateMachine {
    return this.enforcement.stateMachine;
  }

  public get clusterEnforcementStateMachine(): sfn.StateMachine {
    return this.clusterEnforcement.stateMachine;
  }

  public get reinstatementStateMachine(): sfn.StateMachine {
    return this.reinstatement.stateMachine;
  }

  /** Every alarm: the pipeline's (iterator age, scorer errors, queue depths, failed executions) and the rejected-policy alarm. */
  public get alarms(): readonly cloudwatch.IAlarm[] {
    return [...this.monitoring.alarms, this.policyConfig.rejectedPolicyAlarm];
  }

  public get dashboard(): cloudwatch.Dashboard {
    return this.monitoring.dashboard;
  }

  /**
   * Lets the gateway put usage events on the stream (kinesis:PutRecord(s), and encrypting with the
   * stream's key). A grantee that is a construct of this stack gets the wildcard actions of the
   * key grant acknowledged for cdk-nag.
   */
  public grantPutUsageEvents(grantee: iam.IGrantable): iam.Grant {
    const grant = this.usageStream.grantWrite(grantee);
    acknowledgeOn(this, grantee, [
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "CDK's grant to write the encrypted usage stream: GenerateDataKey(WithoutPlaintext) of its one key.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason: "CDK's grant to write the encrypted usage stream: ReEncryptFrom/ReEncryptTo of its one key.",
      },
    ]);
    return grant;
  }

  /**
   * Lets the grantee read cases both ways Cauterize offers: the cases API's reading methods
   * (GET /cases, GET /cases/{caseId}, as the compliance role) and the cases table with its indexes
   * (`cauterize cases list|show|export|verify --table`).
   */
  public grantReadCases(grantee: iam.IGrantable): iam.Grant {
    const grant = this.casesTable.grantReadData(grantee).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['execute-api:Invoke'],
        resourceArns: [...this.casesApi.readMethodArns],
      }),
    );
    acknowledgeOn(this, grantee, [
      ...methodWildcardFindings(this, this.casesApi.readMethodArns).map((id) => ({
        id,
        reason: CASE_ID_WILDCARD_REASON,
      })),
      {
        id: tableIndexWildcardFinding(this, this.casesTable),
        reason: "Table grants cover the table's own indexes: cases are listed by status and by account.",
      },
    ]);
    return grant;
  }

  private createStore(props: CauterizeProps): CauterizeStore {
    return new CauterizeStore(this, 'Store', {
      encryptionKey: props.encryptionKey,
      usageStream: props.usageStream,
      enforcementBus: props.enforcementBus,
      enforcementBusName: props.enforcementBusName,
      costProfile: this.profile.name,
      expectedEventsPerSecond: props.expectedEventsPerSecond,
      streamRetentionHours: props.streamRetentionHours,
      streamShardCount: props.streamShardCount,
      accountsTableCapacity: props.accountsTableCapacity,
      linksTableCapacity: props.linksTableCapacity,
      caseArchiveRetentionDays: props.caseArchiveRetentionDays,
    });
  }

  /** Encrypted with the data key, which CloudWatch must be allowed to use to publish to it. */
  private createAlarmTopic(): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Cauterize alarms',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchPublishesCauterizeAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return topic;
  }
}

/** Props that only size what Cauterize creates are refused beside the one brought in. */
function checkProps(props: CauterizeProps): void {
  checkInteger('expectedEventsPerSecond', props.expectedEventsPerSecond, 1, 10_000_000);
  if (props.policyFile !== undefined && props.policyJson !== undefined) {
    throw new Error(`policyFile is '${props.policyFile}' and policyJson is given too: pass one of them`);
  }
  if (props.policyFile === '') {
    throw new Error("policyFile is '': pass a path, or leave it out for the policy shipped with cauterize");
  }
  if (props.alarmTopic && props.createAlarmTopic === true) {
    throw new Error(
      'createAlarmTopic is true but alarmTopic is given: drop createAlarmTopic to notify that topic',
    );
  }
  if (props.store) {
    const storeProps = [
      'usageStream',
      'enforcementBus',
      'encryptionKey',
      'enforcementBusName',
      'streamRetentionHours',
      'streamShardCount',
      'accountsTableCapacity',
      'linksTableCapacity',
      'caseArchiveRetentionDays',
    ] as const;
    for (const name of storeProps) {
      if (props[name] !== undefined) {
        throw new Error(
          `${name} is given with store: the store's own is used; set it where the store is created, or drop store`,
        );
      }
    }
  }
}

/** A construct depends on the stacks of resources it was handed from other stacks of the app. */
function dependOnStacksOf(consumer: Construct, resources: readonly IConstruct[]): void {
  const stack = Stack.of(consumer);
  for (const resource of resources) {
    const owner = Stack.of(resource);
    if (owner !== stack && !stack.dependencies.includes(owner)) stack.addStackDependency(owner);
  }
}

/**
 * Acknowledges cdk-nag findings a Cauterize grant causes on the grantee's policy, when the grantee
 * is a construct of Cauterize's own stack (elsewhere the finding names differ: acknowledge them there).
 */
function acknowledgeOn(
  cauterize: Construct,
  grantee: iam.IGrantable,
  rules: ReadonlyArray<{ readonly id: string; readonly reason: string }>,
): void {
  const principal = grantee.grantPrincipal;
  if (!(principal instanceof Construct) || Stack.of(principal) !== Stack.of(cauterize)) return;
  Validations.of(principal).acknowledge(...rules);
}
