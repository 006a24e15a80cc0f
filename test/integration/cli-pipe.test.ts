import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openLocalCases } from '../../cli/commands/cases';
import { PROJECT_ROOT } from '../support/cli-process';
import { tempDirPerSuite } from '../support/temp-dir';
import { seedCase } from '../support/cases';

/** Runs a shell pipeline (bash, pipefail) and gives its output and the first command's status. */
function shell(script: string): Promise<{ out: string; err: string; status: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${script}; echo "status=\${PIPESTATUS[0]}" >&2`], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const status = Number(/status=(\d+)/.exec(err)?.[1] ?? -1);
      resolve({ out, err: err.replace(/status=\d+\n?/, ''), status });
    });
  });
}

/** Issue 15, item 11: piping `cases show` into `head -1` printed an EPIPE stack trace. */
describe('CLI: cauterize cases show | head -1', () => {
  const dir = tempDirPerSuite('cauterize-i15-pipe-');
  const caseId = 'case-i15pipe00000000000000001-1';

  beforeAll(async () => {
    // Prepare: a case whose evidence is far larger than a pipe's buffer.
    const local = await openLocalCases(join(dir(), 'store'));
    await local.store.create([seedCase({ caseId, evidence: { note: 'x'.repeat(300_000) } })]);
    await local.close();
  });

  it('prints the first line and exits quietly with 141, as a command stopped by SIGPIPE', async () => {
    // Act
    const run = await shell(
      `node bin/cauterize.js cases show ${caseId} --local ${join(dir(), 'store')} | head -1`,
    );

    // Assess
    expect(run.out).toBe(`Case ${caseId} (account, OPEN)\n`);
    expect(run.err).toBe('');
    expect(run.status).toBe(141);
  }, 60_000);
});
