/** A progress bar on stderr, shown only when stderr is a terminal. */
import { SingleBar } from 'cli-progress';

export class Progress {
  private readonly bar: SingleBar | undefined;

  constructor(label: string, total: number, unit: string) {
    if (!process.stderr.isTTY || total < 2) return;
    this.bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} ${unit} {detail}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    });
    this.bar.start(total, 0, { detail: '' });
  }

  update(value: number, detail = ''): void {
    this.bar?.update(value, { detail });
  }

  stop(): void {
    this.bar?.stop();
  }
}
