import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { RedisService } from '../redis/redis.module';
import { CALLBACKS_QUEUE, CallbackJob, COMPACTION_QUEUE, CompactionJob, RUNS_QUEUE, RunJob } from './queues';

/** The producer side of the queues; job ids are the run ids, so a run is never queued twice. */
@Injectable()
export class QueuesService implements OnApplicationShutdown {
  private readonly runs: Queue<RunJob>;
  private readonly callbacks: Queue<CallbackJob>;
  private readonly compaction: Queue<CompactionJob>;

  constructor(redis: RedisService) {
    const options = { connection: redis.bullConnection, prefix: redis.prefix };
    this.runs = new Queue<RunJob>(RUNS_QUEUE, { ...options, defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 1000, attempts: 1 } });
    this.callbacks = new Queue<CallbackJob>(CALLBACKS_QUEUE, {
      ...options,
      defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 1000, attempts: 6, backoff: { type: 'exponential', delay: 1000 } },
    });
    // Finished compaction jobs, completed or failed, are dropped at once: BullMQ ignores a job whose id it still holds,
    // so a kept job would stop every later compaction of its context.
    this.compaction = new Queue<CompactionJob>(COMPACTION_QUEUE, {
      ...options,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 4, backoff: { type: 'exponential', delay: 500 } },
    });
  }

  /** One pending compaction per context at most. */
  async enqueueCompaction(agentId: string, conversationId: string | null): Promise<void> {
    await this.compaction.add('compact', { agentId, conversationId }, { jobId: `compact-${conversationId ?? agentId}` });
  }

  async enqueueRun(runId: string): Promise<void> {
    await this.runs.add('run', { runId }, { jobId: runId });
  }

  async enqueueCallback(runId: string): Promise<void> {
    await this.callbacks.add('callback', { runId }, { jobId: `callback-${runId}` });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.runs.close(), this.callbacks.close(), this.compaction.close()]);
  }
}
