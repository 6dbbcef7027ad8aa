import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/config';
import { CALLBACKS_QUEUE, CallbackJob, COMPACTION_QUEUE, CompactionJob, RUNS_QUEUE, RunJob } from '../queue/queues';
import { CompactionRunner } from '../compaction/compaction-runner.service';
import { RedisService } from '../redis/redis.module';
import { CallbackSender } from '../runs/callback-sender.service';
import { RunExecutor } from '../runs/run-executor.service';
import { RunRecovery } from '../runs/run-recovery.service';
import { RunsModule } from '../runs/runs.module';

/**
 * The consumers of the queues. Each only routes a job to its service. BullMQ's lock on a job is renewed while the
 * process lives; when a worker dies, another one finds the job stalled after `RUN_LOCK_MS` and takes it over.
 */
@Injectable()
export class QueueWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueWorkers.name);
  private readonly workers: Worker[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly executor: RunExecutor,
    private readonly callbacks: CallbackSender,
    private readonly compaction: CompactionRunner,
  ) {}

  onApplicationBootstrap(): void {
    const common = { connection: this.redis.bullConnection, prefix: this.redis.prefix };
    const { lockMs, concurrency } = this.config.runs;
    this.workers.push(
      new Worker<RunJob>(RUNS_QUEUE, (job: Job<RunJob>) => this.executor.execute(job.data.runId), {
        ...common,
        concurrency,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        maxStalledCount: 1,
      }),
      new Worker<CallbackJob>(CALLBACKS_QUEUE, (job: Job<CallbackJob>) => this.callbacks.send(job.data.runId), { ...common, concurrency: 4 }),
      new Worker<CompactionJob>(COMPACTION_QUEUE, (job: Job<CompactionJob>) => this.compaction.background(job.data.agentId, job.data.conversationId), {
        ...common,
        concurrency: 4,
      }),
    );
    for (const worker of this.workers) worker.on('failed', (job, err) => this.logger.warn({ queue: worker.name, jobId: job?.id, err: err.message }, 'job failed'));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
  }
}

@Module({ imports: [RunsModule], providers: [QueueWorkers, CallbackSender, RunRecovery] })
export class QueueWorkersModule {}
