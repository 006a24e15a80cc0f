// Every test run gets one scratch folder, removed when the run ends. `new App()` without an
// outdir synthesizes into a fresh cdk.outXXXX under os.tmpdir() and never removes it: without
// this, each `npm test` left about 150 of them (2,000 had piled up in /tmp on one machine).
// Workers are forked after globalSetup, so they inherit TMPDIR; os.tmpdir() reads it per call.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const KEY = 'CAUTERIZE_TEST_TMPDIR';

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'cauterize-test-run-'));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
}

async function teardown() {
  const dir = process.env[KEY];
  if (dir) rmSync(dir, { recursive: true, force: true });
}

module.exports = { setup, teardown };
