import { SingleBar, Presets } from 'cli-progress';

/**
 * A progress bar on stderr for anything that takes seconds. On a terminal it draws a bar; in a
 * log (CI, a pipe) it writes a plain line at every tenth of the way, so long runs show life
 * without flooding the log. `done()` always clears the bar.
 */
export class Progress {
  private readonly bar: SingleBar | undefined;
  private started = false;
  private loggedTenth = 0;

  public constructor(
    private readonly label: string,
    private readonly total: number,
    unit = '',
  ) {
    if (process.stderr.isTTY) {
      this.bar = new SingleBar(
        {
          format: `${label.padEnd(22)} [{bar}] {percentage}% | {value}/{total}${unit} | {eta_formatted} left`,
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stderr,
        },
        Presets.shades_classic,
      );
    }
  }

  public update(value: number, total?: number): void {
    if (!this.bar) {
      const tenth = Math.floor((10 * value) / (total ?? this.total));
      if (tenth > this.loggedTenth && tenth < 10) {
        this.loggedTenth = tenth;
        process.stderr.write(`${this.label}: ${tenth * 10}%\n`);
      }
      return;
    }
    if (!this.started) {
      this.bar.start(total ?? this.total, 0);
      this.started = true;
    }
    if (total !== undefined) this.bar.setTotal(total);
    this.bar.update(Math.round(value));
  }

  public done(): void {
    if (this.bar && this.started) this.bar.stop();
    this.started = false;
  }
}
