import { Rng } from './rng';

/**
 * Opaque, globally unique identifiers. They carry no cohort or label (a detector must not be able
 * to read the answer from an id) and are checked for collisions, so uniqueness is guaranteed.
 */
export class IdFactory {
  private readonly rng: Rng;

  /**
   * One factory per cohort (`stream`), all sharing `issued`: a cohort's ids then do not depend on
   * which other cohorts run, and collisions across cohorts are still impossible.
   */
  constructor(
    seed: number,
    stream: string,
    private readonly issued: Set<string>,
  ) {
    this.rng = Rng.of(seed, 'ids', stream);
  }

  private unique(prefix: string, hexChars: number): string {
    for (;;) {
      const id = prefix + this.rng.hex(hexChars);
      if (!this.issued.has(id)) {
        this.issued.add(id);
        return id;
      }
    }
  }

  account(): string {
    return this.unique('acct_', 12);
  }

  org(): string {
    return this.unique('org_', 10);
  }

  payment(): string {
    return this.unique('pm_', 16);
  }

  device(): string {
    return this.unique('dev_', 16);
  }
}

/** Per-account ids (devices, cards drawn by the account itself): 64 random bits, collisions negligible. */
export function randomDeviceId(rng: Rng): string {
  return `dev_${rng.hex(16)}`;
}

export function randomPaymentId(rng: Rng): string {
  return `pm_${rng.hex(16)}`;
}
