import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder under the OS temp folder for each test of the enclosing `describe`, removed after
 * the test. Call it in the `describe` body; the returned function gives the current test's folder.
 */
export function tempDirPerTest(prefix: string): () => string {
  return tempDirBetween(
    beforeEach,
    afterEach,
    prefix,
    'tempDirPerTest: the folder exists only while a test runs',
  );
}

/**
 * A fresh folder under the OS temp folder for the enclosing `describe`, made before its first
 * `beforeAll` that is declared after this call and removed after its last test. Call it in the
 * `describe` body; the returned function gives the folder.
 */
export function tempDirPerSuite(prefix: string): () => string {
  return tempDirBetween(
    beforeAll,
    afterAll,
    prefix,
    'tempDirPerSuite: the folder exists only while the describe runs',
  );
}

function tempDirBetween(
  make: typeof beforeAll,
  remove: typeof afterAll,
  prefix: string,
  outside: string,
): () => string {
  let dir: string | undefined;
  make(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  remove(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (!dir) throw new Error(outside);
    return dir;
  };
}
