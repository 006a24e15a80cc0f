import { createHash } from 'node:crypto';
import { StateMachine } from '../../../local/stepfunctions/aws-local-stepfunctions';

describe('Module: aws-local-stepfunctions (as the local runtime loads it)', () => {
  describe('Intrinsic: States.Hash', () => {
    it.each(['MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'])(
      'gives the %s digest node:crypto gives, for inputs of one block and of several',
      async (algorithm) => {
        // Prepare: audit chain inputs are ~200 bytes; 55/56 and 111/112 straddle the padding boundary
        const machine = new StateMachine({
          StartAt: 'Hash',
          States: {
            Hash: {
              Type: 'Pass',
              Parameters: { 'digest.$': `States.Hash($.text, '${algorithm}')` },
              End: true,
            },
          },
        });
        const nodeName = algorithm.replace('-', '').toLowerCase();

        for (const length of [3, 55, 56, 64, 111, 112, 128, 250, 1000]) {
          const text = 'cauterize-audit-v1|'.repeat(60).slice(0, length);

          // Act
          const output = (await machine.run({ text }).result) as { digest: string };

          // Assess
          expect({ length, digest: output.digest }).toEqual({
            length,
            digest: createHash(nodeName).update(text, 'utf8').digest('hex'),
          });
        }
      },
    );
  });
});
