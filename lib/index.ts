/**
 * What the package exports as `cauterize/constructs`: the Cauterize construct, its stateful half,
 * the constructs they are built of (the types of their members), and the cost profiles.
 */
export { Cauterize, type CauterizeProps } from './constructs/cauterize';
export {
  CauterizeStore,
  DEFAULT_ENFORCEMENT_BUS_NAME,
  grantEventBridgeUseOfKey,
  type CauterizeStoreProps,
  type CauterizeStoreResources,
} from './constructs/cauterize-store';
export {
  CaseArchiveBucket,
  CaseArchiver,
  type CaseArchiveBucketProps,
  type CaseArchiverProps,
} from './constructs/case-archive';
export { CasesApi, type CasesApiProps } from './constructs/cases-api';
export { ChainAnchor, type ChainAnchorProps } from './constructs/chain-anchor';
export {
  ClusterEnforcementWorkflow,
  type ClusterEnforcementWorkflowProps,
} from './constructs/cluster-enforcement-workflow';
export { EnforcementWorkflow, type EnforcementWorkflowProps } from './constructs/enforcement-workflow';
export { PipelineMonitoring, type PipelineMonitoringProps } from './constructs/pipeline-monitoring';
export { PolicyConfig, type PolicyConfigProps } from './constructs/policy-config';
export { ReinstatementWorkflow, type ReinstatementWorkflowProps } from './constructs/reinstatement-workflow';
export { UsageStreamScorer, type UsageStreamScorerProps } from './constructs/usage-stream-scorer';
export {
  COST_PROFILES,
  costProfileSettings,
  type CostProfileName,
  type CostProfileSettings,
  type TableCapacity,
  type WorkflowType,
} from './cost-profile';
export { SHIPPED_POLICY_FILE } from './package-files';
