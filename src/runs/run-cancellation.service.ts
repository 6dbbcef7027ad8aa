import { Injectable, OnModuleInit } from '@nestjs/common';
import { RedisService } from '../redis/redis.module';

/**
 * Carries cancel requests to whichever process executes the run: an API replica publishes the run id, the worker
 * holding it aborts the run's signal, which stops the model stream at once and the loop at the next step boundary.
 * A short-lived key also covers a worker that starts the run after the message went out.
 */
@Injectable()
export class RunCancellationService implements OnModuleInit {
  private readonly controllers = new Map<string, AbortController>();

  constructor(private readonly redis: RedisService) {}

  private get channel(): string {
    return `${this.redis.prefix}:run-cancel`;
  }

  private key(runId: string): string {
    return `${this.redis.prefix}:run:${runId}:cancel`;
  }

  async onModuleInit(): Promise<void> {
    this.redis.subscriber.on('message', (channel: string, runId: string) => {
      if (channel === this.channel) this.controllers.get(runId)?.abort();
    });
    await this.redis.subscriber.subscribe(this.channel);
  }

  async request(runId: string): Promise<void> {
    await this.redis.client.pipeline().set(this.key(runId), '1', 'EX', 3600).publish(this.channel, runId).exec();
  }

  /**
   * The signal a worker passes to the loop, listening from now on. `cancelledBefore` says whether a cancel came first;
   * the run need not wait for it: a late abort still stops the model stream and the loop.
   */
  watch(runId: string): { signal: AbortSignal; cancelledBefore: Promise<boolean> } {
    const signal = this.listen(runId);
    const cancelledBefore = this.redis.client.exists(this.key(runId)).then(
      (n) => {
        if (n) this.controllers.get(runId)?.abort();
        return n === 1;
      },
      () => false, // Redis unreachable: the run goes on; a cancel needs Redis to arrive anyway
    );
    return { signal, cancelledBefore };
  }

  /**
   * The signal of a run listened for before it is admitted: no cancel can name it earlier, so none needs looking up
   * (one Redis round trip less per turn executed in place).
   */
  listen(runId: string): AbortSignal {
    const controller = new AbortController();
    this.controllers.set(runId, controller);
    return controller.signal;
  }

  unwatch(runId: string): void {
    this.controllers.delete(runId);
  }
}
