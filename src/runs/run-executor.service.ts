import { Inject, Injectable, Logger } from '@nestjs/common';
import { ContextLockService } from '../compaction/context-lock.service';
import { APP_CONFIG, AppConfig } from '../config/config';
import { QueuesService } from '../queue/queues.service';
import { AgentLoopService } from '../agent-loop/agent-loop.service';
import { internalError, StopReason, TurnError } from '../agent-loop/stop-reasons';
import { RunCancellationService } from './run-cancellation.service';
import { RunEntity } from './run.entity';
import { RunEventsService, RunFrame } from './run-events.service';
import { RunsService } from './runs.service';
import { RunFrameWriter } from './sse-frames';

/** How long a run waits for its context while a compaction holds it. */
const CONTEXT_WAIT_MS = 120_000;

export const WORKER_DIED: TurnError = {
  type: 'internal_error',
  message: 'The worker executing this run stopped before the run finished; every completed step is kept, the rest was not executed.',
};

/** Executes one run on a worker: the agent loop, its events published to the run's stream, and its outcome recorded. */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);

  constructor(
    private readonly runs: RunsService,
    private readonly events: RunEventsService,
    private readonly loop: AgentLoopService,
    private readonly cancellation: RunCancellationService,
    private readonly contextLock: ContextLockService,
    private readonly queues: QueuesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(runId: string): Promise<void> {
    const signal = await this.cancellation.watch(runId);
    try {
      if (signal.aborted) return await this.end(runId, new RunFrameWriter(runId, await this.events.lastSeq(runId)), 'cancelled');
      const run = await this.runs.start(runId);
      if (run) {
        try {
          await this.contextLock.withLock(run.agentId, run.conversationId, CONTEXT_WAIT_MS, () => this.runLoop(run, signal));
        } catch (error) {
          // runLoop records its own failures; what reaches here is a context that stayed busy, or storage failing.
          this.logger.error({ runId, err: error }, 'run could not execute');
          await this.end(runId, new RunFrameWriter(runId, await this.events.lastSeq(runId)), 'error', internalError(error));
        }
        return;
      }
      const current = await this.runs.find(runId);
      if (current?.status === 'running') {
        // A worker took this run and died; its lock expired and the queue handed the job over. Steps are atomic, so the
        // history is consistent: end the run with a clear reason rather than replay half of a turn.
        this.logger.warn({ runId }, 'run left running by a dead worker; failing it');
        await this.contextLock.forceRelease(current.agentId, current.conversationId);
        await this.end(runId, new RunFrameWriter(runId, await this.events.lastSeq(runId)), 'error', WORKER_DIED);
      }
    } finally {
      this.cancellation.unwatch(runId);
    }
  }

  /**
   * Streams the loop's messages as they come; holds the closing frames until the outcome is recorded, so a client that
   * sees `[DONE]` always finds the run ended.
   */
  private async runLoop(run: Pick<RunEntity, 'id' | 'agentId' | 'conversationId' | 'request'>, signal: AbortSignal): Promise<void> {
    const runId = run.id;
    const started = process.hrtime.bigint();
    let ttftNs: bigint | null = null;
    const writer = new RunFrameWriter(runId);
    let outcome: { stopReason: StopReason; error?: TurnError; contextRatio?: number } | null = null;
    let closing: RunFrame[] = [];
    try {
      const turn = this.loop.run({ agentId: run.agentId, conversationId: run.conversationId, ...run.request, runId, signal });
      for await (const event of turn) {
        if (event.type === 'message' || event.type === 'delta') {
          ttftNs ??= process.hrtime.bigint() - started;
          await this.events.append(runId, writer.frames(event));
        } else {
          if (event.type === 'stop') outcome = event;
          closing.push(...writer.frames(event));
        }
      }
    } catch (error) {
      this.logger.error({ runId, err: error }, 'run failed');
      outcome = { stopReason: 'error', error: internalError(error) };
      closing = writer.terminal(outcome.stopReason, outcome.error);
    }
    outcome ??= { stopReason: 'error', error: internalError('the run ended without a stop reason') };
    if (!closing.some((f) => f.done)) closing = writer.terminal(outcome.stopReason, outcome.error);
    await this.runs.finalize(runId, { ...outcome, ttftNs });
    await this.events.append(runId, closing);
    if ((outcome.contextRatio ?? 0) > this.config.compaction.backgroundRatio) {
      // The next turn should start lean: compact between turns rather than in the middle of the next one.
      await this.queues.enqueueCompaction(run.agentId, run.conversationId).catch((error) => this.logger.warn({ runId, err: error }, 'could not queue compaction'));
    }
  }

  /** Ends a run that no loop is executing: its terminal frames, then its outcome. */
  async end(runId: string, writer: RunFrameWriter, stopReason: StopReason, error?: TurnError): Promise<void> {
    await this.runs.finalize(runId, { stopReason, error });
    await this.events.append(runId, writer.terminal(stopReason, error));
  }
}
