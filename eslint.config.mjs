import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', 'out/', 'dist/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is pure: no AWS SDK, no CDK, no environment, no files (the CLI and lib/ read them),
    // so it serves Lambda, CLI and benchmarks alike.
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@aws-sdk/*',
            'aws-cdk-lib',
            'aws-cdk-lib/*',
            '@aws-lambda-powertools/*',
            'constructs',
            'node:fs',
            'node:fs/*',
            'fs',
            'fs/*',
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'pass configuration in' },
      ],
    },
  },
  {
    // Runtime code never imports infrastructure code.
    files: ['lambdas/**/*.ts'],
    ignores: ['lambdas/core/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'] }],
    },
  },
  {
    // The console's browser code puts text on the page, never markup: every string that came from
    // events (user agents, ids) is set as a text node (console/web/dom.ts).
    files: ['console/web/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'srcdoc'].map((property) => ({
          property,
          message: 'build elements with el() and set text: data from events is never parsed as HTML',
        })),
        { object: 'document', property: 'write', message: 'build elements with el()' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='createContextualFragment']",
          message: 'no HTML parsing',
        },
      ],
    },
  },
);
