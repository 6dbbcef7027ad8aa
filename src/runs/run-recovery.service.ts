import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CompactionHolds } from '../compaction/compaction-holds.service';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RedisService } from '../redis/redis.module';
import { RunExecutor } from './run-executor.service';
import { RunsService } from './runs.service';

/**
 * Keeps this worker's heartbeat in Redis and fails the runs of workers whose heartbeat is gone. Queued runs also have
 * BullMQ's stalled-job check; a run executed in place by the process that admitted it has only this one, so no run
 * stays `running` after its process died. Runs waiting on a compaction whose process died start from here too.
 */
@Injectable()
export class RunRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunRecovery.name);
  private timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly runs: RunsService,
    private readonly executor: RunExecutor,
    private readonly compactionHolds: CompactionHolds,
  ) {}

  private key(workerId: string): string {
    return `${this.redis.prefix}:worker:${workerId}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { lockMs } = this.config.runs;
    await this.beat();
    this.timers = [
      // Renewed five times per lifetime, so only a process stalled for most of RUN_LOCK_MS looks dead.
      setInterval(() => void this.beat().catch((error) => this.logger.warn({ err: error }, 'heartbeat failed')), lockMs / 5),
      setInterval(() => void this.sweep().catch((error) => this.logger.warn({ err: error }, 'run recovery sweep failed')), lockMs),
    ];
    for (const timer of this.timers) timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.redis.client.del(this.key(this.executor.workerId)).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    await this.redis.client.set(this.key(this.executor.workerId), '1', 'PX', this.config.runs.lockMs);
  }

  /** Fails every running run whose worker has no heartbeat, and frees the contexts of compactions that stopped. */
  async sweep(): Promise<void> {
    await this.compactionHolds.sweepExpired();
    const running = await this.runs.running();
    const workers = [...new Set(running.map((r) => r.workerId))];
    if (workers.length === 0) return;
    const alive = await this.redis.client.mget(workers.map((w) => this.key(w)));
    const dead = new Set(workers.filter((_, i) => alive[i] === null));
    for (const run of running.filter((r) => dead.has(r.workerId))) {
      this.logger.warn({ runId: run.id, workerId: run.workerId }, 'run left running by a dead worker; failing it');
      await this.executor.failAbandoned(run.id);
    }
  }
}
