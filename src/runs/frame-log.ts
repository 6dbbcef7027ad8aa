/** One SSE frame of a run, numbered from 1 in the order it was produced. */
export interface RunFrame {
  seq: number;
  /** The complete SSE text of the frame (`data: …\n\n` or `event: error\ndata: …\n\n`). */
  text: string;
  /** True on the last frame of the run (`data: [DONE]`). */
  done: boolean;
  /** The JSON `text` carries, on frames that have not left the process that wrote them (saves parsing it back). */
  payload?: Record<string, unknown>;
}

/** Where a run's executor writes its frames. */
export interface FrameSink {
  /** Appends frames; the caller owns the numbering (one writer per run). */
  append(frames: RunFrame[]): Promise<void>;
  /** The seq of the last frame written, 0 when none. */
  lastSeq(): Promise<number>;
}

/** Where readers of a run find its frames: a read after a seq, and a wake-up when more arrive. */
export interface FrameSource {
  read(afterSeq: number, count: number): Promise<RunFrame[]>;
  /** Calls `notify` whenever frames are appended; returns the unsubscribe function. */
  listen(notify: () => void): () => void;
}

export interface FollowOptions {
  batchSize: number;
  idleMs: number;
  signal?: AbortSignal;
}

/**
 * Replays the frames after `afterSeq`, then follows live until the last frame. Yields `null` after `idleMs` without
 * a frame, so the caller can send a keepalive. Stops early when `signal` aborts (the client went away).
 */
export async function* followFrames(source: FrameSource, afterSeq: number, options: FollowOptions): AsyncGenerator<RunFrame | null> {
  let wake: (() => void) | null = null;
  let dirty = false;
  const unlisten = source.listen(() => {
    dirty = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  options.signal?.addEventListener('abort', onAbort);
  try {
    let seq = afterSeq;
    while (!options.signal?.aborted) {
      dirty = false;
      const frames = await source.read(seq, options.batchSize);
      for (const frame of frames) {
        yield frame;
        seq = frame.seq;
        if (frame.done) return;
      }
      if (frames.length === options.batchSize || dirty) continue;
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), options.idleMs);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wake = null;
      if (!woken && !options.signal?.aborted) yield null;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    unlisten();
  }
}

/**
 * The frames of a foreground run executed by the process that admitted it. Its only reader is the request that sent
 * the message (a foreground run cannot be resumed), so the frames never leave memory.
 */
export class InMemoryFrameLog implements FrameSink, FrameSource {
  private readonly frames: RunFrame[] = [];
  private readonly listeners = new Set<() => void>();

  async append(frames: RunFrame[]): Promise<void> {
    this.frames.push(...frames);
    for (const notify of this.listeners) notify();
  }

  async lastSeq(): Promise<number> {
    return this.frames.at(-1)?.seq ?? 0;
  }

  async read(afterSeq: number, count: number): Promise<RunFrame[]> {
    // seqs are contiguous from 1, so a frame's index is its seq minus one
    return this.frames.slice(afterSeq, afterSeq + count);
  }

  listen(notify: () => void): () => void {
    this.listeners.add(notify);
    return () => this.listeners.delete(notify);
  }
}
