import { createHash } from 'node:crypto';
import { generateTraffic, type GenerateOptions } from '../../sim/generate';

/** SHA-256 of the wire output (JSON Lines) and of the truth document, streamed. */
function fingerprint(options: GenerateOptions): {
  events: number;
  eventsSha256: string;
  truthSha256: string;
} {
  const { events, truth } = generateTraffic(options);
  const hash = createHash('sha256');
  let count = 0;
  for (const { event } of events) {
    hash.update(JSON.stringify(event));
    hash.update('\n');
    count++;
  }
  return {
    events: count,
    eventsSha256: hash.digest('hex'),
    truthSha256: createHash('sha256').update(JSON.stringify(truth)).digest('hex'),
  };
}

/**
 * The committed presets are the baseline every published figure was measured on: lifting constants
 * into parameters, or adding randomised worlds and cohorts, must leave them byte-identical. A
 * deliberate change updates these fingerprints in the same commit and says why.
 */
describe('Presets: demo and default stay byte-identical', () => {
  it('demo, seed 1', () => {
    // Act
    const actual = fingerprint({ preset: 'demo', seed: 1 });

    // Assess
    expect(actual).toEqual({
      events: 3_605,
      eventsSha256: '554ae7cf520b0a74ea3f1ee3bf023ef947550c9d5ab58f8262563c1aab19e2ba',
      truthSha256: '5087bd85bd5b2d2e5b7e9452d6122e4179a41b2c36059b9bf090f4d841986ed7',
    });
  });

  it('default, seed 1, scale 0.05, 3 days', () => {
    // Act
    const actual = fingerprint({ preset: 'default', seed: 1, scale: 0.05, days: 3 });

    // Assess
    expect(actual).toEqual({
      events: 39_367,
      eventsSha256: '02f1faf870779a312c0ed35da5a775b6974ecf04a4803f814eaf9a4f2c40ecb6',
      truthSha256: '22169fd327654a3f5098c335e4affbd675a329fe4d79403a65d9cd971d26a88a',
    });
  });
});
