import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PolicyValidationError } from '../../lambdas/core/policy/policy';
import { BUNDLED_POLICY_IDENTIFIER } from '../../lambdas/handlers/bundled-policy';
import { buildCauterize } from '../../lib/cauterize';
import { DEFAULT_POLICY_FILE, PROJECT_ROOT } from '../../lib/policy-file';
import type { CloudFormationTemplate } from '../../local/cloudformation/cloudformation-template';
import { synthesizedPolicy } from '../../local/local-pipeline';
import { portablePolicyText } from '../support/policy';
import { tempDirPerSuite } from '../support/temp-dir';
import { synthesizeCauterize } from '../support/synthesize';
import { loadPolicyFile } from '../../lib/policy-file';

const noBundling = { 'aws:cdk:bundling-stacks': [] };

describe('Function: buildCauterize', () => {
  const workDir = tempDirPerSuite('cauterize-infra-');

  /** Writes a copy of the shipped policy with `replace` applied to its text. */
  const writePolicy = (name: string, replace: (text: string) => string): string => {
    const text = portablePolicyText();
    const file = path.join(workDir(), name);
    fs.writeFileSync(file, replace(text));
    return file;
  };

  const policyJsonOf = (app: App): unknown => {
    const { pipeline } = buildCauterize(app);
    return synthesizedPolicy(Template.fromStack(pipeline).toJSON() as CloudFormationTemplate);
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

  describe.each([
    {
      key: 'scorerBatchingWindowSeconds',
      property: 'MaximumBatchingWindowInSeconds',
      given: '300',
      fallback: 60,
      word: 'soon',
      wordMessage:
        'context scorerBatchingWindowSeconds must be whole seconds, got "soon": pass -c scorerBatchingWindowSeconds=60',
      overLimit: '301',
      overLimitMessage: 'maxBatchingWindowSeconds must be a whole number from 0 to 300, got 301',
    },
    {
      key: 'scorerParallelizationFactor',
      property: 'ParallelizationFactor',
      given: '4',
      fallback: 10,
      word: 'many',
      wordMessage:
        'context scorerParallelizationFactor must be a whole number, got "many": pass -c scorerParallelizationFactor=10',
      overLimit: '11',
      overLimitMessage: 'parallelizationFactor must be a whole number from 1 to 10, got 11',
    },
  ])('Scorer event source mapping: $key', (setting) => {
    const mappingValues = (context: Record<string, unknown>): unknown => {
      const app = new App({ builtinCloudFormationValidation: false, context: { ...noBundling, ...context } });
      const { pipeline } = buildCauterize(app);
      const mappings = Template.fromStack(pipeline).findResources('AWS::Lambda::EventSourceMapping');
      return Object.values(mappings).map((m) => m.Properties[setting.property] as unknown);
    };

    it('takes the value from the context, as `cdk deploy -c` passes it', () => {
      // Act
      const values = mappingValues({ [setting.key]: setting.given });

      // Assess
      expect(values).toEqual([Number(setting.given)]);
    });

    it('keeps the default without the context', () => {
      // Act
      const values = mappingValues({});

      // Assess
      expect(values).toEqual([setting.fallback]);
    });

    it("rejects a word and a value over the mapping's limit, naming the value and the fix", () => {
      // Act & Assess
      expect(() => mappingValues({ [setting.key]: setting.word })).toThrow(setting.wordMessage);
      expect(() => mappingValues({ [setting.key]: setting.overLimit })).toThrow(setting.overLimitMessage);
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
      const outdir = path.join(workDir(), 'cdk.out');
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
      // The scorer, the cases API handler, the case archiver and the chain anchor.
      const built = bundles.filter((bundle) => fs.existsSync(bundle));
      expect(built).toHaveLength(4);
      // The first-deploy policy is compiled into the scorer's code (its identifier replaced), and
      // into no other function's.
      const { version } = loadPolicyFile(path.join(PROJECT_ROOT, DEFAULT_POLICY_FILE));
      const withPolicy = built.filter((bundle) => fs.readFileSync(bundle, 'utf8').includes(version));
      expect(withPolicy).toHaveLength(1);
      for (const bundle of built) {
        expect(fs.readFileSync(bundle, 'utf8')).not.toContain(BUNDLED_POLICY_IDENTIFIER);
      }
    });
  });
});
