import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RedisService } from '../redis/redis.module';

/** One SSE frame of a run, numbered from 1 in the order it was produced. */
export interface RunFrame {
  seq: number;
  /** The complete SSE text of the frame (`data: …\n\n` or `event: error\ndata: …\n\n`). */
  text: string;
  /** True on the last frame of the run (`data: [DONE]`). */
  done: boolean;
}

/**
 * A run's events live in a Redis stream, `<prefix>:run:<id>:events`, whose entry ids are the frames' seq numbers, so
 * any API replica can replay from any seq and then follow live. Writers PUBLISH on the run's channel after each
 * append; readers wait on that (one pattern subscription per process) instead of polling.
 */
@Injectable()
export class RunEventsService implements OnModuleInit {
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One pattern subscription for every run, so following a run costs no subscribe round trip. */
  async onModuleInit(): Promise<void> {
    this.redis.subscriber.on('pmessage', (_pattern: string, channel: string) => this.listeners.get(channel)?.forEach((notify) => notify()));
    await this.redis.subscriber.psubscribe(this.channel('*'));
  }

  private key(runId: string): string {
    return `${this.redis.prefix}:run:${runId}:events`;
  }

  private channel(runId: string): string {
    return `${this.redis.prefix}:run:${runId}:notify`;
  }

  /** Appends frames (the caller owns the numbering: one writer per run) and wakes the readers. */
  async append(runId: string, frames: RunFrame[]): Promise<void> {
    if (frames.length === 0) return;
    const pipeline = this.redis.client.pipeline();
    for (const f of frames) pipeline.xadd(this.key(runId), `${f.seq}-0`, 't', f.text, 'd', f.done ? '1' : '0');
    pipeline.expire(this.key(runId), this.config.runs.streamRetentionSeconds);
    pipeline.publish(this.channel(runId), String(frames[frames.length - 1].seq));
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /** The seq of the last frame written, 0 when none. */
  async lastSeq(runId: string): Promise<number> {
    const [last] = await this.redis.client.xrevrange(this.key(runId), '+', '-', 'COUNT', 1);
    return last ? Number(last[0].split('-')[0]) : 0;
  }

  async exists(runId: string): Promise<boolean> {
    return (await this.redis.client.exists(this.key(runId))) === 1;
  }

  async read(runId: string, afterSeq: number, count: number): Promise<RunFrame[]> {
    const entries = await this.redis.client.xrange(this.key(runId), `(${afterSeq}-0`, '+', 'COUNT', count);
    return entries.map(([id, fields]) => {
      const map: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) map[fields[i]] = fields[i + 1];
      return { seq: Number(id.split('-')[0]), text: map.t, done: map.d === '1' };
    });
  }

  /**
   * Replays the frames after `afterSeq`, then follows live until the last frame. Yields `null` after `idleMs` without
   * a frame, so the caller can send a keepalive. Stops early when `signal` aborts (the client went away).
   */
  async *follow(runId: string, afterSeq: number, options: { batchSize: number; idleMs: number; signal?: AbortSignal }): AsyncGenerator<RunFrame | null> {
    const channel = this.channel(runId);
    let wake: (() => void) | null = null;
    let dirty = false;
    const notify = () => {
      dirty = true;
      wake?.();
    };
    this.listen(channel, notify);
    const onAbort = () => wake?.();
    options.signal?.addEventListener('abort', onAbort);
    try {
      let seq = afterSeq;
      while (!options.signal?.aborted) {
        dirty = false;
        const frames = await this.read(runId, seq, options.batchSize);
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
      this.unlisten(channel, notify);
    }
  }

  private listen(channel: string, notify: () => void): void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(notify);
  }

  private unlisten(channel: string, notify: () => void): void {
    const set = this.listeners.get(channel);
    set?.delete(notify);
    if (set?.size === 0) this.listeners.delete(channel);
  }
}
