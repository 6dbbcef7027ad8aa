import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RedisService } from '../redis/redis.module';
import { FollowOptions, followFrames, FrameSink, FrameSource, RunFrame } from './frame-log';

/**
 * The frames of runs executed by queue workers, and of every background run, live in a Redis stream,
 * `<prefix>:run:<id>:events`, whose entry ids are the frames' seq numbers, so any API replica can replay from any seq
 * and then follow live. Writers PUBLISH on the run's channel after each append; readers wait on that (one pattern
 * subscription per process) instead of polling.
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

  sink(runId: string): FrameSink {
    return { append: (frames) => this.append(runId, frames), lastSeq: () => this.lastSeq(runId) };
  }

  follow(runId: string, afterSeq: number, options: FollowOptions): AsyncGenerator<RunFrame | null> {
    const source: FrameSource = { read: (after, count) => this.read(runId, after, count), listen: (notify) => this.listen(this.channel(runId), notify) };
    return followFrames(source, afterSeq, options);
  }

  async exists(runId: string): Promise<boolean> {
    return (await this.redis.client.exists(this.key(runId))) === 1;
  }

  /** Appends frames and wakes the readers. */
  private async append(runId: string, frames: RunFrame[]): Promise<void> {
    if (frames.length === 0) return;
    const pipeline = this.redis.client.pipeline();
    for (const f of frames) pipeline.xadd(this.key(runId), `${f.seq}-0`, 't', f.text, 'd', f.done ? '1' : '0');
    pipeline.expire(this.key(runId), this.config.runs.streamRetentionSeconds);
    pipeline.publish(this.channel(runId), String(frames[frames.length - 1].seq));
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  private async lastSeq(runId: string): Promise<number> {
    const [last] = await this.redis.client.xrevrange(this.key(runId), '+', '-', 'COUNT', 1);
    return last ? Number(last[0].split('-')[0]) : 0;
  }

  private async read(runId: string, afterSeq: number, count: number): Promise<RunFrame[]> {
    const entries = await this.redis.client.xrange(this.key(runId), `(${afterSeq}-0`, '+', 'COUNT', count);
    return entries.map(([id, fields]) => {
      const map: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) map[fields[i]] = fields[i + 1];
      return { seq: Number(id.split('-')[0]), text: map.t, done: map.d === '1' };
    });
  }

  private listen(channel: string, notify: () => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(notify);
    return () => {
      set.delete(notify);
      if (set.size === 0) this.listeners.delete(channel);
    };
  }
}
