/**
 * Progress output: on a TTY one live status line (chapter, scenario, run k/n,
 * live requests/s from the load generator's per-second samples) under the log;
 * otherwise plain lines only, so CI logs stay readable.
 */
export class Progress {
  private statusText = '';

  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) {}

  get live(): boolean {
    return this.stream.isTTY === true;
  }

  /** A permanent log line. */
  line(text: string): void {
    if (this.live && this.statusText) this.stream.write('\r\x1b[K');
    this.stream.write(`${text}\n`);
    if (this.live && this.statusText) this.stream.write(this.fit(this.statusText));
  }

  /** The live status line (TTY only). */
  status(text: string): void {
    if (!this.live) return;
    this.statusText = text;
    this.stream.write(`\r\x1b[K${this.fit(text)}`);
  }

  clearStatus(): void {
    if (this.live && this.statusText) this.stream.write('\r\x1b[K');
    this.statusText = '';
  }

  private fit(text: string): string {
    const width = this.stream.columns;
    return width && text.length >= width ? text.slice(0, width - 1) : text;
  }
}
