import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_DETAIL_TYPES, eventJsonSchema } from '../lambdas/core/events';

/**
 * Writes docs/events/<DetailType>.schema.json from the zod schemas in lambdas/core/events.ts:
 * `npx tsx bin/write-event-schemas.ts && npx prettier --write docs/events`.
 * test/core/events.test.ts fails when the files and the schemas drift apart.
 */
const directory = join(__dirname, '..', 'docs', 'events');
mkdirSync(directory, { recursive: true });
for (const detailType of EVENT_DETAIL_TYPES) {
  const file = join(directory, `${detailType}.schema.json`);
  writeFileSync(file, `${JSON.stringify(eventJsonSchema(detailType), null, 2)}\n`);
  console.log(`wrote ${file}`);
}
