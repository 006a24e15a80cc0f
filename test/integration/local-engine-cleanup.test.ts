import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalPipeline } from '../../local/local-pipeline';
import { writeSimulation } from '../../sim';
import { childProcesses, processesWithEnv, startCli, waitFor } from '../support/cli-process';
import { tempDirPerSuite, tempDirPerTest } from '../support/temp-dir';

/**
 * Issue 15, item 4: the local engine hung for good when it could not write its output (both
 * emulators left running), and every interrupted run left a cauterize-emulators-* folder.
 */

const emulatorFolders = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('cauterize-'));

describe('Method: LocalPipeline.stop', () => {
  const dir = tempDirPerTest('cauterize-i15-stop-');

  it('stops both emulators and removes their folder even when the bus cannot write its file', async () => {
    // Prepare: the bus's file is in a folder that does not exist, and an event waits to go there.
    const pipeline = await LocalPipeline.start({
      dataDir: dir(),
      busEventsFile: join(dir(), 'gone', 'bus-events.jsonl'),
    });
    expect(childProcesses(process.pid, 'emulator-process.js')).toHaveLength(2);
    expect(emulatorFolders(dir())).toHaveLength(1);
    await pipeline.bus.putEvents([{ Source: 'test', DetailType: 'Probe', Detail: {} }]);

    // Act
    const stopped = pipeline.stop();

    // Assess: the failure is reported, after the emulators are gone.
    await expect(stopped).rejects.toThrow(/could not write events/);
    expect(childProcesses(process.pid, 'emulator-process.js')).toEqual([]);
    expect(emulatorFolders(dir())).toEqual([]);
  });
});

describe('CLI: replay on the local engine, stopped or failing half way', () => {
  const dir = tempDirPerSuite('cauterize-i15-engine-');
  const events = () => join(dir(), 'events.jsonl');

  beforeAll(async () => {
    await writeSimulation(events(), join(dir(), 'truth.json'), { preset: 'demo', seed: 1 });
  });

  /** A private temp folder for one CLI run: what the run leaves behind is what is in it. */
  const privateTmp = async (name: string) => {
    const tmp = join(dir(), name);
    await mkdir(tmp);
    return tmp;
  };
  const emulatorsOf = (tmp: string) =>
    processesWithEnv('TMPDIR', tmp).filter((p) => p.command.includes('emulator-process.js'));

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    'exits on %s (%i), with both emulators stopped and no temporary folder left',
    async (signal, exit) => {
      // Prepare
      const tmp = await privateTmp(`tmp-${signal}`);
      const out = join(dir(), `out-${signal}`);
      const run = startCli(['replay', events(), '--out', out], { TMPDIR: tmp });
      await waitFor('both emulators to run', () => emulatorsOf(tmp).length === 2, 90_000);

      // Act
      run.child.kill(signal);
      const code = await run.exited;

      // Assess
      expect(code).toBe(exit);
      expect(run.stderr()).toMatch(
        new RegExp(`${signal}: stopping the local services and removing temporary files`),
      );
      expect(processesWithEnv('TMPDIR', tmp)).toEqual([]);
      expect(emulatorFolders(tmp)).toEqual([]);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir()).filter((n) => n.includes(`out-${signal}`))).toEqual([]);
    },
    120_000,
  );

  it('exits 2 when its output folder goes away under it, with the emulators stopped', async () => {
    // Prepare
    const tmp = await privateTmp('tmp-fail');
    const out = join(dir(), 'out-fail');
    const run = startCli(['replay', events(), '--out', out], { TMPDIR: tmp });
    const staging = () => readdirSync(dir()).find((n) => n.startsWith('.out-fail.staging-'));
    await waitFor('both emulators to run', () => emulatorsOf(tmp).length === 2, 90_000);

    // Act: the folder the run writes into is removed half way (as a full or failing disk would).
    const folder = staging();
    expect(folder).toBeDefined();
    rmSync(join(dir(), folder!), { recursive: true, force: true });
    const code = await run.exited;

    // Assess
    expect(code).toBe(2);
    expect(run.stderr()).toMatch(/^cauterize: .*(ENOENT|could not write)/m);
    expect(processesWithEnv('TMPDIR', tmp)).toEqual([]);
    expect(emulatorFolders(tmp)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
