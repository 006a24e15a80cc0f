import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, realpath, rename, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { tempDirPerSuite } from '../support/temp-dir';

const run = promisify(execFile);

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'consumer-app');
/** What the example's cdk.json gives as the gateway team's stream and its key. */
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:111122223333:stream/gateway-usage-events';
const STREAM_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

interface PackageJson {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

/**
 * Installs the tarball into `app` the way npm lays a package out: extracted into
 * node_modules/cauterize, with what it and the app declare as dependencies beside it. Those are
 * linked from this clone's node_modules: npm cannot resolve them offline (`npm ci` caches
 * tarballs, not the registry metadata `npm install` needs). Only declared packages are linked,
 * so code in the package that needs an undeclared one fails to resolve, as it would for a user.
 */
async function installTarball(tarball: string, app: string): Promise<void> {
  const unpacked = join(app, '.unpacked');
  await mkdir(unpacked, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', unpacked]);
  await mkdir(join(app, 'node_modules', '.bin'), { recursive: true });
  await rename(join(unpacked, 'package'), join(app, 'node_modules', 'cauterize'));

  const packed = await readJson<PackageJson>(join(app, 'node_modules', 'cauterize', 'package.json'));
  const own = await readJson<PackageJson>(join(app, 'package.json'));
  const names = new Set(
    [packed.dependencies, packed.peerDependencies, own.dependencies, own.devDependencies].flatMap((deps) =>
      Object.keys(deps ?? {}),
    ),
  );
  names.delete('cauterize');
  for (const name of names) {
    const target = join(app, 'node_modules', name);
    await mkdir(dirname(target), { recursive: true });
    await symlink(join(ROOT, 'node_modules', name), target);
  }
  // esbuild for NodejsFunction (run as `npx --no-install esbuild` in the app), the CDK CLI, tsx, tsc.
  for (const bin of ['esbuild', 'cdk', 'tsx', 'tsc']) {
    await symlink(
      await realpath(join(ROOT, 'node_modules', '.bin', bin)),
      join(app, 'node_modules', '.bin', bin),
    );
  }
  // NodejsFunction takes the app's root to be where its lock file is, as npm would have written one.
  await writeFile(
    join(app, 'package-lock.json'),
    `${JSON.stringify({ name: 'cauterize-example-consumer', lockfileVersion: 3, requires: true, packages: {} })}\n`,
  );
}

describe('Package: the example consumer app on the packed tarball', () => {
  const workDir = tempDirPerSuite('cauterize-consumer-');
  let app: string;
  let packedFiles: string[];
  let template: { Resources: Resources };

  beforeAll(async () => {
    // Prepare: npm pack builds the package (prepack: tsc to dist/) as it would for a release.
    const packDir = join(workDir(), 'pack');
    await mkdir(packDir);
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packDir], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [pack] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    packedFiles = pack!.files.map((file) => file.path);
    app = join(workDir(), 'consumer-app');
    await cp(EXAMPLE, app, {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|cdk\.out)$/.test(source),
    });
    await installTarball(join(packDir, pack!.filename), app);

    // Act: what the platform team runs.
    const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
    await run(join(app, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', app], { cwd: app, env });
    await run(join(app, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet'], {
      cwd: app,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    template = await readJson(join(app, 'cdk.out', 'Platform.template.json'));
  }, 300_000);

  const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  it('packs the compiled constructs, the handlers, the event schemas and the shipped policy, and no sources', async () => {
    // Assess
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/lambdas/core/events.d.ts',
        'dist/lambdas/handlers/account-scorer.js',
        'config/policy.yaml',
        'config/public-prompts.txt',
        'docs/events/AccountSuspended.schema.json',
      ]),
    );
    expect(
      packedFiles.filter(
        (file) => /^(cli|local|sim|test|console|bench|patches)\/|\.ts$/.test(file) && !file.endsWith('.d.ts'),
      ),
    ).toEqual([]);
    // patch-package runs from prepare, which an install from a registry or a tarball does not run.
    const { scripts } = await readJson<{ scripts?: Record<string, string> }>(
      join(app, 'node_modules', 'cauterize', 'package.json'),
    );
    expect(Object.keys(scripts ?? {}).filter((name) => /^(pre|post)?install$/.test(name))).toEqual([]);
  });

  it('resolves every export from the consumer app', async () => {
    // Act
    const specifiers = [
      'cauterize/constructs',
      'cauterize/events',
      'cauterize/usage-event',
      'cauterize/policy',
      'cauterize/config/policy.yaml',
      'cauterize/config/public-prompts.txt',
      'cauterize/docs/events/AccountSuspended.schema.json',
    ];
    const { stdout } = await run(
      process.execPath,
      ['-e', `for (const s of ${JSON.stringify(specifiers)}) console.log(require.resolve(s))`],
      { cwd: app },
    );

    // Assess
    expect(stdout.trim().split('\n')).toHaveLength(specifiers.length);
    expect(stdout).not.toContain(ROOT + '/lib');
  });

  it('synthesizes cdk-nag clean (the AwsSolutions plugin fails synth on any finding)', async () => {
    // Assess: synth succeeded; a validation report, when written, lists no failing plugin.
    const report = await readJson<{ pluginReports: Array<{ pluginName: string; conclusion: string }> }>(
      join(app, 'cdk.out', 'validation-report.json'),
    ).catch(() => ({ pluginReports: [] }));
    expect(report.pluginReports.filter((plugin) => plugin.conclusion !== 'success')).toEqual([]);
    expect(ofType('AWS::Lambda::Function').length).toBeGreaterThanOrEqual(4);
  });

  it('uses the consumer’s stream and bus: no stream and no bus of its own', () => {
    // Assess
    expect(ofType('AWS::Kinesis::Stream')).toEqual([]);
    const buses = ofType('AWS::Events::EventBus');
    expect(buses.map(([id, bus]) => [id.startsWith('PlatformEvents'), bus.Properties?.Name])).toEqual([
      [true, 'platform-events'],
    ]);
    const [busId] = buses[0]!;
    expect(ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties?.EventSourceArn)).toContain(
      STREAM_ARN,
    );
    const definitions = JSON.stringify(ofType('AWS::StepFunctions::StateMachine'));
    expect(definitions.includes(JSON.stringify({ 'Fn::GetAtt': [busId, 'Arn'] }))).toBe(true);
    expect(JSON.stringify(template).includes(STREAM_KEY_ARN)).toBe(true);
  });

  it('bundles the Lambda code at the consumer’s synth, from the installed package', async () => {
    // Assess: each function's asset is a bundle esbuild wrote into the app's cdk.out.
    const assets = (await readdir(join(app, 'cdk.out'))).filter((entry) => entry.startsWith('asset.'));
    const bundles = await Promise.all(
      assets.map((asset) => readdir(join(app, 'cdk.out', asset)).then((files) => files.includes('index.js'))),
    );
    expect(bundles.filter(Boolean).length).toBeGreaterThanOrEqual(4);
  });
});
