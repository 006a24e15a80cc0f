import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { UsageEventView } from '../shared/api';

/** Lines longer than this are not events the gateway sends; they are skipped, not parsed. */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * Reads events back from the replayed event file (JSON Lines), for the case view's sample events
 * and a member's requests: the cases keep event ids, the file keeps the events. Each lookup streams
 * the file and stops as soon as it has what it was asked for, so memory stays flat whatever its size.
 */
export class EventFile {
  public constructor(public readonly path: string) {}

  /** The events with these ids, in file order. */
  public async byIds(ids: readonly string[]): Promise<UsageEventView[]> {
    const wanted = new Set(ids);
    return this.scan(
      (line) => {
        for (const id of wanted) if (line.includes(id)) return true;
        return false;
      },
      (event) => wanted.delete(String(event.eventId)),
      () => wanted.size === 0,
    );
  }

  /** The first `limit` events of one account, in file order. */
  public async ofAccount(accountId: string, limit: number): Promise<UsageEventView[]> {
    let found = 0;
    return this.scan(
      (line) => line.includes(accountId),
      (event) => event.accountId === accountId && ++found > 0,
      () => found >= limit,
    );
  }

  private async scan(
    mayMatch: (line: string) => boolean,
    keep: (event: Record<string, unknown>) => boolean,
    done: () => boolean,
  ): Promise<UsageEventView[]> {
    const out: UsageEventView[] = [];
    const input = createReadStream(this.path, { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.length > MAX_LINE_CHARS || !mayMatch(line)) continue;
        let event: unknown;
        try {
          event = JSON.parse(line);
        } catch {
          continue;
        }
        if (event === null || typeof event !== 'object' || Array.isArray(event)) continue;
        if (keep(event as Record<string, unknown>)) out.push(event as UsageEventView);
        if (done()) break;
      }
    } finally {
      lines.close();
      input.destroy();
    }
    return out;
  }
}
