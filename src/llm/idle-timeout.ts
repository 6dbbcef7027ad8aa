/**
 * Aborts a model call when the provider stays silent for `ms`: before the response starts and between stream chunks.
 * Tracking it ourselves (rather than trusting the SDK's error class) tells a timeout from a cancellation reliably.
 * The caller's signal is forwarded by hand rather than through `AbortSignal.any`, whose combined signals Node 20 never
 * frees once the SDK listens on them (nodejs/node#54614, #55328): one leaked per model call.
 */
export class IdleTimeout {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  readonly signal = this.controller.signal;
  fired = false;
  private readonly forwardAbort = () => this.controller.abort(this.parent?.reason);

  constructor(
    private readonly ms: number,
    private readonly parent?: AbortSignal,
  ) {
    if (parent?.aborted) this.forwardAbort();
    else parent?.addEventListener('abort', this.forwardAbort, { once: true });
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new Error('idle timeout'));
    }, this.ms);
  }

  /** Stops the timer and the forwarding; call when the model call ends, however it ends. */
  clear(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.forwardAbort);
  }
}
