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

  /** Restarts the wait; called for every chunk, so the timer is rescheduled in place rather than replaced. */
  touch(): void {
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new Error('idle timeout'));
    }, this.ms);
  }

  /**
   * Throws when the call was aborted (timed out or cancelled). Call after reading the stream: the provider SDKs end a
   * stream quietly, as if the model had finished, when its signal aborts in the middle of it.
   */
  throwIfAborted(): void {
    this.signal.throwIfAborted();
  }

  /** Stops the timer and the forwarding; call when the model call ends, however it ends. */
  clear(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.forwardAbort);
  }
}
