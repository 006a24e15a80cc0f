import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Files Cauterize ships and reads at synth, found from this module rather than from the working
 * folder, so they resolve the same in a clone of the repository (TypeScript sources under lib/)
 * and in an installed package (compiled under node_modules/cauterize/dist/lib/).
 */

/** The folder holding Cauterize's package.json: the repository root, or the installed package. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

/** The policy shipped with Cauterize: what a construct runs under unless given another. */
export const SHIPPED_POLICY_FILE = path.join(PACKAGE_ROOT, 'config', 'policy.yaml');

/**
 * The module of a Lambda handler (exporting `handler`), bundled by esbuild at the synth of the app
 * that uses the construct: the TypeScript source in a clone, the compiled module in the package.
 */
export function handlerEntry(name: string): string {
  const base = path.join(__dirname, '..', 'lambdas', 'handlers', name);
  return existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.js`;
}

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(`no package.json above ${from}: install cauterize as a package, or run from its clone`);
    }
  }
}
