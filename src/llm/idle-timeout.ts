/**
 * Aborts a model call when the provider stays silent for `ms`: before the response starts and between stream chunks.
 * Tracking it ourselves (rather than trusting the SDK's error class) tells a timeout from a cancellation reliably.
 */
export class IdleTimeout {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  readonly signal: AbortSignal;
  fired = false;

  constructor(
    private readonly ms: number,
    parent?: AbortSignal,
  ) {
    this.signal = parent ? AbortSignal.any([parent, this.controller.signal]) : this.controller.signal;
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new Error('idle timeout'));
    }, this.ms);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
