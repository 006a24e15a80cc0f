import fc from 'fast-check';
import { Rng } from '../../sim/rng';
import {
  flipBits,
  hammingDistance,
  paraphrase,
  randomSimHash,
  simHashFromHex,
  simHashToHex,
  type SimHash,
} from '../../sim/simhash';

const simHashArb = fc.record({ hi: fc.nat({ max: 0xffffffff }), lo: fc.nat({ max: 0xffffffff }) });

describe('Function: paraphrase', () => {
  it('flips exactly the requested number of bits, so a paraphrase sits at that Hamming distance', () => {
    fc.assert(
      fc.property(simHashArb, fc.integer({ min: 0, max: 64 }), fc.integer(), (template, bits, seed) => {
        // Prepare
        const rng = Rng.of(seed);

        // Act
        const variant = paraphrase(template, bits, rng);

        // Assess
        expect(hammingDistance(template, variant)).toBe(bits);
      }),
    );
  });

  it('keeps paraphrases of one template close and unrelated templates about 32 bits apart', () => {
    // Prepare
    const rng = Rng.of('simhash-test');
    const templates: SimHash[] = Array.from({ length: 200 }, () => randomSimHash(rng));

    // Act
    const near = templates.map((t) => hammingDistance(paraphrase(t, 3, rng), paraphrase(t, 5, rng)));
    const far = templates.slice(1).map((t, i) => hammingDistance(t, templates[i] as SimHash));

    // Assess
    expect(Math.max(...near)).toBeLessThanOrEqual(8);
    const meanFar = far.reduce((a, b) => a + b, 0) / far.length;
    expect(meanFar).toBeGreaterThan(29);
    expect(meanFar).toBeLessThan(35);
    expect(Math.min(...far)).toBeGreaterThan(12);
  });

  it('rejects a bit count outside [0, 64]', () => {
    // Prepare
    const rng = Rng.of(1);

    // Act / Assess
    expect(() => paraphrase({ hi: 0, lo: 0 }, 65, rng)).toThrow(
      'paraphrase bit count must be an integer in [0, 64]',
    );
  });
});

describe('Function: simHashToHex', () => {
  it('writes 16 lowercase hex characters that read back to the same hash', () => {
    fc.assert(
      fc.property(simHashArb, (hash) => {
        // Act
        const hex = simHashToHex(hash);

        // Assess
        expect(hex).toMatch(/^[0-9a-f]{16}$/);
        expect(simHashFromHex(hex)).toEqual(hash);
      }),
    );
  });

  it('puts bit 63 in the first character and bit 0 in the last', () => {
    // Act
    const top = simHashToHex(flipBits({ hi: 0, lo: 0 }, [63]));
    const bottom = simHashToHex(flipBits({ hi: 0, lo: 0 }, [0]));

    // Assess
    expect(top).toBe('8000000000000000');
    expect(bottom).toBe('0000000000000001');
  });
});

describe('Class: Rng', () => {
  it('replays the same stream for the same labels and a different one otherwise', () => {
    // Prepare
    const draw = (rng: Rng) => Array.from({ length: 8 }, () => rng.uint32());

    // Act
    const a = draw(Rng.of(1, 'casual-chat', 'account', 7));
    const b = draw(Rng.of(1, 'casual-chat', 'account', 7));
    const c = draw(Rng.of(1, 'casual-chat', 'account', 8));

    // Assess
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});
