import { CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { CaseArchiver, DEFAULT_ARCHIVE_RETENTION_DAYS } from './constructs/case-archive';
import { CasesApi } from './constructs/cases-api';
import { ChainAnchor } from './constructs/chain-anchor';
import { ClusterEnforcementWorkflow } from './constructs/cluster-enforcement-workflow';
import { EnforcementWorkflow } from './constructs/enforcement-workflow';
import { PipelineMonitoring } from './constructs/pipeline-monitoring';
import { PolicyConfig } from './constructs/policy-config';
import { ReinstatementWorkflow } from './constructs/reinstatement-workflow';
import { UsageStreamScorer } from './constructs/usage-stream-scorer';
import type { WorkflowType } from './cost-profile';
import { DEFAULT_BATCHING_WINDOW_SECONDS } from './scorer-batching';
import { pinLogicalId } from './logical-id';

export interface PipelineStackProps extends StackProps {
  /** From the stateful stack: the usage event stream. */
  readonly usageStream: kinesis.IStream;
  /** From the stateful stack: the key that also encrypts the pipeline's queues. */
  readonly dataKey: kms.IKey;
  readonly accountsTable: dynamodb.ITable;
  readonly linksTable: dynamodb.ITable;
  readonly casesTable: dynamodb.ITable;
  readonly enforcementBus: events.IEventBus;
  /** Validated policy as compact JSON (policyToJson(loadPolicyFile(...))). */
  readonly policyJson: string;
  /**
   * From the stateful stack: the Object Lock bucket closed cases are archived to.
   * @default - no case archiver
   */
  readonly caseArchiveBucket?: s3.IBucket;
  /**
   * Memory of the scorer, in MB.
   * @default 1024
   */
  readonly scorerMemorySizeMb?: number;
  /**
   * Most records per scorer invocation.
   * @default 5000
   */
  readonly scorerBatchSize?: number;
  /**
   * Concurrent scorer batches per shard (1 to 10).
   * @default 10
   */
  readonly scorerParallelizationFactor?: number;
  /**
   * Longest the scorer's event source mapping waits to fill a batch, in seconds (0 to 300).
   * The iterator-age alarm allows three of these (at least 60 s) before the scorer counts as behind.
   * @default 60
   */
  readonly scorerMaxBatchingWindowSeconds?: number;
  /**
   * Type of the account enforcement workflow: EXPRESS costs about 1/200 of STANDARD per run and
   * keeps exactly-once effects through its conditional writes. The cluster workflow stays STANDARD
   * (its Distributed Map needs it).
   * @default 'STANDARD'
   */
  readonly enforcementWorkflowType?: WorkflowType;
  /**
   * Clusters with at least this many members run them in the cluster workflow's Distributed Map,
   * each member an Express child execution (one state transition each in the parent), instead of
   * the inline Map (about 10 transitions per member).
   * @default 100
   */
  readonly clusterDistributedMapThreshold?: number;
  /**
   * Whether the enforcement workflows' execution logs carry each state's input and output.
   * @default true
   */
  readonly workflowLogExecutionData?: boolean;
  /**
   * Topic the pipeline's alarms notify.
   * @default - no notification
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The stateless part: scorer, enforcement workflow, dead-letter queues, alarms and dashboard.
 * It can be destroyed and redeployed freely; the data lives in the StatefulStack.
 */
export class PipelineStack extends Stack {
  public readonly scorer: UsageStreamScorer;
  public readonly enforcement: EnforcementWorkflow;
  /** One cluster case and the suspension of its members, per cluster crossing. */
  public readonly clusterEnforcement: ClusterEnforcementWorkflow;
  /** Sets accounts back to ACTIVE when their case is cleared as a false positive. */
  public readonly reinstatement: ReinstatementWorkflow;
  public readonly monitoring: PipelineMonitoring;
  /** The compliance cases API (IAM authorization) and its two roles. */
  public readonly casesApi: CasesApi;
  /** Archives CLOSED cases to the Object Lock bucket. */
  public readonly caseArchiver?: CaseArchiver;
  /** Anchors every case's audit chain head to the Object Lock bucket, hourly. */
  public readonly chainAnchor?: ChainAnchor;
  /** The policy in AWS AppConfig: the scorer reads it at run time, so changes need no code deploy. */
  public readonly policyConfig: PolicyConfig;

  public constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    // Fn::ImportValue: the stateful stack cannot be deleted, nor an export it gives us removed,
    // while this stack uses it. Wanted here (the data must outlive the pipeline); set explicitly
    // so a change of CDK's default never changes the templates. To remove a shared resource,
    // first stop using it here and deploy, then remove it from the stateful stack.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    // Declared before any grant: a grant on a key of a stack this one already depends on goes
    // into this stack's IAM policies, never into the other stack's key policy (no cycle).
    const { usageStream, dataKey, accountsTable, linksTable, casesTable, enforcementBus } = props;
    for (const resource of [usageStream, dataKey, accountsTable, linksTable, casesTable, enforcementBus]) {
      const owner = Stack.of(resource);
      if (owner !== this && !this.dependencies.includes(owner)) this.addStackDependency(owner);
    }

    this.enforcement = new EnforcementWorkflow(this, 'Enforcement', {
      accountsTable: props.accountsTable,
      casesTable: props.casesTable,
      enforcementBus: props.enforcementBus,
      workflowType: props.enforcementWorkflowType,
      logExecutionData: props.workflowLogExecutionData,
    });

    this.clusterEnforcement = new ClusterEnforcementWorkflow(this, 'ClusterEnforcement', {
      accountsTable: props.accountsTable,
      casesTable: props.casesTable,
      enforcementBus: props.enforcementBus,
      distributedMapThreshold: props.clusterDistributedMapThreshold,
      logExecutionData: props.workflowLogExecutionData,
    });
    this.reinstatement = new ReinstatementWorkflow(this, 'Reinstatement', {
      accountsTable: props.accountsTable,
      casesTable: props.casesTable,
      enforcementBus: props.enforcementBus,
    });

    this.scorer = new UsageStreamScorer(this, 'Scorer', {
      usageStream: props.usageStream,
      accountsTable: props.accountsTable,
      linksTable: props.linksTable,
      casesTable: props.casesTable,
      enforcementStateMachine: this.enforcement.stateMachine,
      clusterEnforcementStateMachine: this.clusterEnforcement.stateMachine,
      policyJson: props.policyJson,
      queueEncryptionKey: props.dataKey,
      memorySizeMb: props.scorerMemorySizeMb,
      batchSize: props.scorerBatchSize,
      parallelizationFactor: props.scorerParallelizationFactor,
      maxBatchingWindowSeconds: props.scorerMaxBatchingWindowSeconds,
    });

    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      usageStream: props.usageStream,
      scorerFunction: this.scorer.function,
      failureQueue: this.scorer.failureQueue,
      rejectedQueue: this.scorer.rejectedQueue,
      enforcementStateMachine: this.enforcement.stateMachine,
      otherWorkflows: {
        ClusterEnforcement: this.clusterEnforcement.stateMachine,
        Reinstatement: this.reinstatement.stateMachine,
      },
      // Records wait up to a window before their batch is handed over: that is not falling behind.
      iteratorAgeThresholdSeconds: Math.max(
        60,
        3 * (props.scorerMaxBatchingWindowSeconds ?? DEFAULT_BATCHING_WINDOW_SECONDS),
      ),
      alarmTopic: props.alarmTopic,
    });

    // A policy deployment that makes the scorer fail is rolled back by AppConfig.
    this.policyConfig = new PolicyConfig(this, 'PolicyConfig', {
      policyJson: props.policyJson,
      rollbackAlarms: [this.monitoring.scorerErrorsAlarm],
      alarmTopic: props.alarmTopic,
    });
    this.policyConfig.grantReadTo(this.scorer.function);
    for (const [name, value] of Object.entries(this.policyConfig.environmentVariables)) {
      this.scorer.function.addEnvironment(name, value);
    }

    this.casesApi = new CasesApi(this, 'CasesApi', {
      casesTable: props.casesTable,
      enforcementBus: props.enforcementBus,
    });
    if (props.caseArchiveBucket) {
      const compliance = (JSON.parse(props.policyJson) as { compliance?: { archiveRetentionDays?: number } })
        .compliance;
      this.caseArchiver = new CaseArchiver(this, 'CaseArchiver', {
        casesTable: props.casesTable,
        archiveBucket: props.caseArchiveBucket,
        retentionDays: compliance?.archiveRetentionDays ?? DEFAULT_ARCHIVE_RETENTION_DAYS,
        queueEncryptionKey: props.dataKey,
      });
      pinLogicalId(this.caseArchiver.failureQueue, 'CaseArchiverFailureQueue');
      // Anchors are kept as long as archived cases: an old anchor still proves a rollback to before it.
      this.chainAnchor = new ChainAnchor(this, 'ChainAnchor', {
        casesTable: props.casesTable,
        archiveBucket: props.caseArchiveBucket,
        retentionDays: compliance?.archiveRetentionDays ?? DEFAULT_ARCHIVE_RETENTION_DAYS,
      });
    }

    // Queues hold records waiting for re-drive; a replaced queue loses them. The state machine
    // keeps the execution history. The local runtime finds all three by these ids.
    pinLogicalId(this.scorer.failureQueue, 'ScorerFailureQueue');
    pinLogicalId(this.scorer.rejectedQueue, 'RejectedEventsQueue');
    pinLogicalId(this.enforcement.stateMachine, 'EnforcementStateMachine');
    pinLogicalId(this.clusterEnforcement.stateMachine, 'ClusterEnforcementStateMachine');
    this.clusterEnforcement.acknowledgeDistributedMapFindings();
    pinLogicalId(this.reinstatement.stateMachine, 'ReinstatementStateMachine');
    pinLogicalId(this.reinstatement.rule, 'ReinstatementRule');
  }
}
