import { SingleBar, Presets } from 'cli-progress';

/**
 * A progress bar on stderr for anything that takes seconds. It draws only on a terminal, so
 * logs and CI output stay clean; `done()` always clears it.
 */
export class Progress {
  private readonly bar: SingleBar | undefined;
  private started = false;

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
    if (!this.bar) return;
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
