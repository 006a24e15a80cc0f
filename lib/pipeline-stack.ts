import { CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { CaseArchiver } from './constructs/case-archive';
import type { CasesApi } from './constructs/cases-api';
import { Cauterize } from './constructs/cauterize';
import type { ChainAnchor } from './constructs/chain-anchor';
import type { ClusterEnforcementWorkflow } from './constructs/cluster-enforcement-workflow';
import type { EnforcementWorkflow } from './constructs/enforcement-workflow';
import type { PipelineMonitoring } from './constructs/pipeline-monitoring';
import type { PolicyConfig } from './constructs/policy-config';
import type { ReinstatementWorkflow } from './constructs/reinstatement-workflow';
import type { UsageStreamScorer } from './constructs/usage-stream-scorer';
import type { WorkflowType } from './cost-profile';
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
   * Type of the account enforcement workflow.
   * @default 'STANDARD'
   */
  readonly enforcementWorkflowType?: WorkflowType;
  /**
   * EXPRESS adds an Express cluster workflow for clusters below clusterDistributedMapThreshold
   * (the STANDARD one keeps the larger clusters and the Distributed Map).
   * @default 'STANDARD'
   */
  readonly clusterWorkflowType?: WorkflowType;
  /**
   * Clusters with at least this many members run them in the cluster workflow's Distributed Map.
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
 * Our app's stateless stack: a Cauterize construct on the stateful stack's resources (scorer,
 * workflows, cases API, archiver, queues, alarms and dashboard). It can be destroyed and
 * redeployed freely; the data lives in the StatefulStack.
 *
 * The construct is the stack's `Default` child, which CDK leaves out of logical ids, so every
 * resource keeps the id it had before the construct existed; the queues and state machines are
 * pinned besides (the local runtime finds them by these ids).
 */
export class PipelineStack extends Stack {
  public readonly cauterize: Cauterize;
  public readonly scorer: UsageStreamScorer;
  public readonly enforcement: EnforcementWorkflow;
  public readonly clusterEnforcement: ClusterEnforcementWorkflow;
  public readonly expressClusterEnforcement?: ClusterEnforcementWorkflow;
  public readonly reinstatement: ReinstatementWorkflow;
  public readonly monitoring: PipelineMonitoring;
  public readonly casesApi: CasesApi;
  public readonly caseArchiver?: CaseArchiver;
  public readonly chainAnchor?: ChainAnchor;
  public readonly policyConfig: PolicyConfig;

  public constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    // Fn::ImportValue: the stateful stack cannot be deleted, nor an export it gives us removed,
    // while this stack uses it. Wanted here (the data must outlive the pipeline); set explicitly
    // so a change of CDK's default never changes the templates. To remove a shared resource,
    // first stop using it here and deploy, then remove it from the stateful stack.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    this.cauterize = new Cauterize(this, 'Default', {
      store: {
        encryptionKey: props.dataKey,
        usageStream: props.usageStream,
        accountsTable: props.accountsTable,
        linksTable: props.linksTable,
        casesTable: props.casesTable,
        enforcementBus: props.enforcementBus,
        caseArchiveBucket: props.caseArchiveBucket,
      },
      policyJson: props.policyJson,
      alarmTopic: props.alarmTopic,
      createAlarmTopic: false,
      scorerMemorySizeMb: props.scorerMemorySizeMb,
      scorerBatchSize: props.scorerBatchSize,
      scorerParallelizationFactor: props.scorerParallelizationFactor,
      scorerBatchingWindowSeconds: props.scorerMaxBatchingWindowSeconds,
      enforcementWorkflowType: props.enforcementWorkflowType,
      clusterWorkflowType: props.clusterWorkflowType,
      clusterDistributedMapThreshold: props.clusterDistributedMapThreshold,
      workflowLogExecutionData: props.workflowLogExecutionData,
    });
    this.scorer = this.cauterize.scorer;
    this.enforcement = this.cauterize.enforcement;
    this.clusterEnforcement = this.cauterize.clusterEnforcement;
    this.expressClusterEnforcement = this.cauterize.expressClusterEnforcement;
    this.reinstatement = this.cauterize.reinstatement;
    this.monitoring = this.cauterize.monitoring;
    this.casesApi = this.cauterize.casesApi;
    this.caseArchiver = this.cauterize.caseArchiver;
    this.chainAnchor = this.cauterize.chainAnchor;
    this.policyConfig = this.cauterize.policyConfig;

    // Queues hold records waiting for re-drive; a replaced queue loses them. The state machine
    // keeps the execution history. The local runtime finds all three by these ids.
    pinLogicalId(this.scorer.failureQueue, 'ScorerFailureQueue');
    pinLogicalId(this.scorer.rejectedQueue, 'RejectedEventsQueue');
    if (this.caseArchiver) pinLogicalId(this.caseArchiver.failureQueue, 'CaseArchiverFailureQueue');
    pinLogicalId(this.enforcement.stateMachine, 'EnforcementStateMachine');
    pinLogicalId(this.clusterEnforcement.stateMachine, 'ClusterEnforcementStateMachine');
    if (this.expressClusterEnforcement) {
      pinLogicalId(this.expressClusterEnforcement.stateMachine, 'ExpressClusterEnforcementStateMachine');
    }
    pinLogicalId(this.reinstatement.stateMachine, 'ReinstatementStateMachine');
    pinLogicalId(this.reinstatement.rule, 'ReinstatementRule');
  }
}
