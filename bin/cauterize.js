#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx cauterize` works straight after `npm ci`.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
require('tsx/cjs/api').register();
require('../cli/main.ts').runCli(process.argv);
