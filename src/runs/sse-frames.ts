import { randomUUID } from 'node:crypto';
import type { LoopEvent } from '../agent-loop/agent-loop.service';
import type { StopReason, TurnError } from '../agent-loop/stop-reasons';
import type { RunFrame } from './frame-log';

/** Letta's SSE framing: unnamed `data:` events (the SDK drops named ones), errors as `event: error`, `[DONE]` last. */
export const dataFrame = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
export const errorFrame = (payload: unknown) => `event: error\ndata: ${JSON.stringify(payload)}\n\n`;
export const DONE_FRAME = 'data: [DONE]\n\n';

export function pingFrame(runId: string | null, lastSeq: number | null): string {
  return dataFrame({ id: `ping-${randomUUID()}`, date: new Date().toISOString(), message_type: 'ping', run_id: runId, seq_id: lastSeq });
}

/** Numbers a run's loop events into frames; `seq` continues from wherever the stream stands. */
export class RunFrameWriter {
  private stopped: { stopReason: StopReason; error?: TurnError } | null = null;

  constructor(
    private readonly runId: string,
    private seq = 0,
  ) {}

  get lastSeq(): number {
    return this.seq;
  }

  frames(event: LoopEvent): RunFrame[] {
    switch (event.type) {
      case 'message':
      case 'delta':
        return [this.frame((seq) => ({ ...event.message, run_id: this.runId, seq_id: seq }))];
      case 'stop':
        this.stopped = event;
        return this.stopFrames(event.stopReason, event.error);
      case 'usage':
        // Letta sends no usage after an error or a cancellation.
        if (this.stopped?.error || this.stopped?.stopReason === 'cancelled') return [this.done()];
        return [this.frame((seq) => ({ ...event.usage, seq_id: seq })), this.done()];
    }
  }

  /** The frames of a run ended outside the loop (cancelled before it started, or its worker died). */
  terminal(stopReason: StopReason, error?: TurnError): RunFrame[] {
    return [...this.stopFrames(stopReason, error), this.done()];
  }

  private stopFrames(stopReason: StopReason, error?: TurnError): RunFrame[] {
    const frames = [this.frame((seq) => ({ message_type: 'stop_reason', stop_reason: stopReason, seq_id: seq }))];
    if (error) {
      frames.push(
        this.frame(
          (seq) => ({ message_type: 'error_message', run_id: this.runId, error_type: error.type, message: error.message, detail: error.message, seq_id: seq }),
          true,
        ),
      );
    }
    return frames;
  }

  private done(): RunFrame {
    return { seq: ++this.seq, text: DONE_FRAME, done: true };
  }

  private frame(render: (seq: number) => Record<string, unknown>, error = false): RunFrame {
    const seq = ++this.seq;
    const payload = render(seq);
    return { seq, text: error ? errorFrame(payload) : dataFrame(payload), done: false, payload };
  }
}

/** Reads a frame back as the SDK would: the JSON of a data frame, or the error payload. */
export function parseFrame(frame: RunFrame): { error: boolean; payload: Record<string, unknown> } | null {
  if (frame.text === DONE_FRAME) return null;
  const error = frame.text.startsWith('event: error\n');
  return { error, payload: frame.payload ?? JSON.parse(frame.text.slice(frame.text.indexOf('data: ') + 6).trimEnd()) };
}
