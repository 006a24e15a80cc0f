import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PolicyValidationError } from '../../lambdas/core/policy/policy';
import { buildCauterize, DEFAULT_POLICY_FILE, PROJECT_ROOT } from '../../lib/cauterize';
import { synthesizeCauterize } from './support';

const noBundling = { 'aws:cdk:bundling-stacks': [] };

describe('Function: buildCauterize', () => {
  let workDir: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cauterize-infra-'));
  });

  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  /** Writes a copy of the shipped policy with `replace` applied to its text. */
  const writePolicy = (name: string, replace: (text: string) => string): string => {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, DEFAULT_POLICY_FILE), 'utf8');
    const file = path.join(workDir, name);
    fs.writeFileSync(file, replace(text));
    return file;
  };

  const policyJsonOf = (app: App): unknown => {
    const { pipeline } = buildCauterize(app);
    const functions = Template.fromStack(pipeline).findResources('AWS::Lambda::Function');
    const [scorer] = Object.values(functions);
    return JSON.parse(scorer?.Properties.Environment.Variables.POLICY_JSON as string);
  };

  describe('Stacks', () => {
    it('adds CauterizeStateful and CauterizePipeline, the pipeline depending on the stateful stack', () => {
      // Act
      const { stateful, pipeline } = synthesizeCauterize();

      // Assess
      expect(stateful.stackName).toBe('CauterizeStateful');
      expect(pipeline.stackName).toBe('CauterizePipeline');
      expect(pipeline.dependencies).toEqual([stateful]);
      // Environment-agnostic: synthesizes with no credentials and no lookups.
      expect(stateful.resolve(stateful.account)).toEqual({ Ref: 'AWS::AccountId' });
      expect(stateful.resolve(stateful.region)).toEqual({ Ref: 'AWS::Region' });
    });
  });

  describe('Scorer batching window', () => {
    const windowOf = (app: App): unknown => {
      const { pipeline } = buildCauterize(app);
      const mappings = Template.fromStack(pipeline).findResources('AWS::Lambda::EventSourceMapping');
      return Object.values(mappings).map((m) => m.Properties.MaximumBatchingWindowInSeconds as unknown);
    };

    it('takes the window from the scorerBatchingWindowSeconds context, as `cdk deploy -c` passes it', () => {
      // Prepare
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { ...noBundling, scorerBatchingWindowSeconds: '300' },
      });

      // Act
      const windows = windowOf(app);

      // Assess
      expect(windows).toEqual([300]);
    });

    it('keeps 60 s without the context', () => {
      // Act
      const windows = windowOf(new App({ builtinCloudFormationValidation: false, context: noBundling }));

      // Assess
      expect(windows).toEqual([60]);
    });

    it.each([
      [
        'a word',
        'soon',
        'context scorerBatchingWindowSeconds must be whole seconds, got "soon": pass -c scorerBatchingWindowSeconds=60',
      ],
      [
        "a window over the mapping's limit",
        '301',
        'maxBatchingWindowSeconds must be a whole number from 0 to 300, got 301',
      ],
    ])('rejects %s, naming the value and the fix', (_case, value, message) => {
      // Prepare
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { ...noBundling, scorerBatchingWindowSeconds: value },
      });

      // Act & Assess
      expect(() => buildCauterize(app)).toThrow(message);
    });
  });

  describe('Scorer parallelization factor', () => {
    const factorOf = (app: App): unknown => {
      const { pipeline } = buildCauterize(app);
      const mappings = Template.fromStack(pipeline).findResources('AWS::Lambda::EventSourceMapping');
      return Object.values(mappings).map((m) => m.Properties.ParallelizationFactor as unknown);
    };

    it('takes the factor from the scorerParallelizationFactor context, as `cdk deploy -c` passes it', () => {
      // Prepare
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { ...noBundling, scorerParallelizationFactor: '4' },
      });

      // Act
      const factors = factorOf(app);

      // Assess
      expect(factors).toEqual([4]);
    });

    it('keeps 10 without the context', () => {
      // Act
      const factors = factorOf(new App({ builtinCloudFormationValidation: false, context: noBundling }));

      // Assess
      expect(factors).toEqual([10]);
    });

    it.each([
      [
        'a word',
        'many',
        'context scorerParallelizationFactor must be a whole number, got "many": pass -c scorerParallelizationFactor=10',
      ],
      [
        "a factor over the mapping's limit",
        '11',
        'parallelizationFactor must be a whole number from 1 to 10, got 11',
      ],
    ])('rejects %s, naming the value and the fix', (_case, value, message) => {
      // Prepare
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { ...noBundling, scorerParallelizationFactor: value },
      });

      // Act & Assess
      expect(() => buildCauterize(app)).toThrow(message);
    });
  });

  describe('Policy', () => {
    it('hands config/policy.yaml, validated, to the scorer', () => {
      // Prepare
      const app = new App({ builtinCloudFormationValidation: false, context: noBundling });

      // Act
      const policy = policyJsonOf(app);

      // Assess
      expect(policy).toMatchObject({ mode: expect.any(String), thresholds: { suspend: expect.any(Number) } });
    });

    it('reads the policy file named by the policyFile context', () => {
      // Prepare
      const file = writePolicy('context-policy.yaml', (text) =>
        text.replace(/^version: .*$/m, "version: 'from-context'"),
      );
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { ...noBundling, policyFile: file },
      });

      // Act
      const policy = policyJsonOf(app);

      // Assess
      expect(policy).toMatchObject({ version: 'from-context' });
    });

    it('fails synthesis on an invalid policy, naming the key and the value', () => {
      // Prepare
      const file = writePolicy('bad-policy.yaml', (text) => text.replace(/suspend: \d+/, 'suspend: high'));
      const app = new App({ builtinCloudFormationValidation: false, context: noBundling });

      // Act & Assess
      expect(() => buildCauterize(app, { policyFile: file })).toThrow(PolicyValidationError);
      expect(() =>
        buildCauterize(new App({ builtinCloudFormationValidation: false, context: noBundling }), {
          policyFile: file,
        }),
      ).toThrow(/thresholds\.suspend.*high/);
    });

    it('fails synthesis on a missing policy file, naming it', () => {
      // Prepare
      const app = new App({ builtinCloudFormationValidation: false, context: noBundling });

      // Act & Assess
      expect(() => buildCauterize(app, { policyFile: 'config/no-such-policy.yaml' })).toThrow(
        /no-such-policy\.yaml/,
      );
    });

    it('rejects an empty policyFile context value', () => {
      // Prepare
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { ...noBundling, policyFile: '' },
      });

      // Act & Assess
      expect(() => buildCauterize(app)).toThrow('context policyFile must be a file path, got ""');
    });
  });

  describe('App', () => {
    it('bundles the scorer with the local esbuild and passes cdk-nag, as `cdk synth` does', () => {
      // Prepare: the app exactly as lib/app.ts builds it, bundling included.
      const outdir = path.join(workDir, 'cdk.out');
      const app = new App({ outdir });
      buildCauterize(app);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

      // Act
      const assembly = app.synth();

      // Assess
      const report = JSON.parse(
        fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
      );
      const violations = (report.pluginReports as Array<{ violations?: unknown[] }>).flatMap(
        (pluginReport) => pluginReport.violations ?? [],
      );
      expect(violations).toEqual([]);
      const bundles = fs
        .readdirSync(assembly.directory)
        .filter((entry) => entry.startsWith('asset.'))
        .map((entry) => path.join(assembly.directory, entry, 'index.js'));
      // The scorer, the cases API handler and the case archiver.
      expect(bundles.filter((bundle) => fs.existsSync(bundle))).toHaveLength(3);
    });
  });
});
