/**
 * Import rules checked by `npm run check:imports` (part of `npm test`): no cycles anywhere, and the
 * core's layers in one direction, as the data flows: scoring, then linking, then lifecycle
 * (enforcement decisions), with the batch orchestrators above all three.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Files that import each other in a loop: one of them holds code that belongs elsewhere.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'scoring-below-linking-lifecycle-batch',
      severity: 'error',
      comment: 'Scoring measures one account; linking, enforcement and orchestration build on it.',
      from: { path: '^lambdas/core/scoring/' },
      to: { path: '^lambdas/core/(linking|lifecycle|batch)/' },
    },
    {
      name: 'linking-below-lifecycle-batch',
      severity: 'error',
      comment: 'Linking finds clusters; deciding what to do about them is lifecycle/.',
      from: { path: '^lambdas/core/linking/' },
      to: { path: '^lambdas/core/(lifecycle|batch)/' },
    },
    {
      name: 'lifecycle-below-batch',
      severity: 'error',
      from: { path: '^lambdas/core/lifecycle/' },
      to: { path: '^lambdas/core/batch/' },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'The core serves Lambda, the CLI, the local runtime and the benchmarks alike.',
      from: { path: '^lambdas/core/' },
      to: { path: '^(lambdas/(adapters|handlers)|lib|local|cli|sim|console|bench)/' },
    },
    {
      name: 'runtime-never-imports-the-rest',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: '^(lib|local|cli|sim|console|bench)/' },
    },
    {
      name: 'local-emulators-are-the-ground',
      severity: 'error',
      comment: 'The emulators (dynalite, kinesalite, the local identity) need nothing else of local/.',
      from: { path: '^local/emulators/' },
      to: { path: '^local/', pathNot: '^local/emulators/' },
    },
    {
      name: 'local-services-below-the-runtime',
      severity: 'error',
      comment: 'A stand-in for one AWS service knows nothing of the runtime that composes them.',
      from: { path: '^local/(cloudformation|kinesis|eventbridge|stepfunctions)/' },
      to: { path: '^local/([^/]+\\.ts|replay/)' },
    },
    {
      name: 'replay-on-top',
      severity: 'error',
      from: { path: '^local/', pathNot: '^local/replay/' },
      to: { path: '^local/replay/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a cycle of types is still a misplaced definition.
    tsPreCompilationDeps: true,
  },
};
