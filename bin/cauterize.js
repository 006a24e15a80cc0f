#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx cauterize` works straight after `npm ci` in a
// clone. The npm package holds the constructs and the event schemas, not the CLI.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'cli', 'main.ts');
if (!existsSync(main)) {
  console.error(
    'cauterize: the CLI runs from a clone of the repository (npm ci, then npx cauterize); ' +
      'the package holds the constructs (cauterize/constructs) and the event schemas (cauterize/events)',
  );
  process.exit(2);
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
require('tsx/cjs/api').register();
require(main).runCli(process.argv);
