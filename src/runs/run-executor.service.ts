import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/config';
import { QueuesService } from '../queue/queues.service';
import { AgentLoopService, LoopEvent, TurnRequest } from '../agent-loop/agent-loop.service';
import { inputRow } from '../agent-loop/turn-messages';
import { ContextRow, contextSql, TurnStore } from '../agent-loop/turn-store.service';
import { newId } from '../common/ids';
import { internalError, StopReason, TurnError } from '../agent-loop/stop-reasons';
import { FrameSink, InMemoryFrameLog, RunFrame } from './frame-log';
import { RunCancellationService } from './run-cancellation.service';
import { RunEntity, StartedRun } from './run.entity';
import { RunEventsService } from './run-events.service';
import { AdmitRun, Admitted, RunEnding, RunsService } from './runs.service';
import { RunFrameWriter } from './sse-frames';

/** An admitted run; a run executing in this process carries the in-memory log of its frames. */
export type AdmittedRun = RunEntity & { frameLog?: InMemoryFrameLog };

/** How a loop ended: its stop event (`runEnding` when the run already ended with the last step) and closing frames. */
interface TurnEnd {
  outcome: Omit<Extract<LoopEvent, { type: 'stop' }>, 'type'>;
  closing: RunFrame[];
  ttftNs: bigint | null;
}

export const WORKER_DIED: TurnError = {
  type: 'internal_error',
  message: 'The worker executing this run stopped before the run finished; every completed step is kept, the rest was not executed.',
};

/**
 * Executes runs: the agent loop, its events written to the run's frames, and its outcome recorded. A run comes either
 * from the queue (any worker process) or, for a foreground send, straight from the request that admitted it when this
 * process is also a worker: that skips the queue and keeps the frames in memory.
 */
@Injectable()
export class RunExecutor implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RunExecutor.name);
  /** This process as a worker: recorded on the runs it starts, and kept alive in Redis by its heartbeat. */
  readonly workerId = randomUUID();
  private readonly executingHere = new Set<Promise<void>>();

  constructor(
    private readonly runs: RunsService,
    private readonly events: RunEventsService,
    private readonly loop: AgentLoopService,
    private readonly cancellation: RunCancellationService,
    private readonly queues: QueuesService,
    private readonly store: TurnStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether runs admitted by this process may execute in it (it runs the queue workers too). */
  get executesInPlace(): boolean {
    return this.config.role === 'all';
  }

  /** Executes a run taken from the queue. */
  async execute(runId: string): Promise<void> {
    const sink = this.events.sink(runId);
    const { signal, cancelledBefore } = this.cancellation.watch(runId);
    try {
      if (await cancelledBefore) return await this.end(runId, sink, 'cancelled');
      const run = await this.runs.start(runId, this.workerId);
      if (run) return await this.executeStarted(run, signal, sink);
      const current = await this.runs.find(runId);
      if (current?.status === 'running') {
        // A worker took this run and died; its lock expired and the queue handed the job over.
        this.logger.warn({ runId }, 'run left running by a dead worker; failing it');
        await this.failAbandoned(runId);
      }
    } finally {
      this.cancellation.unwatch(runId);
    }
  }

  /**
   * Admits a foreground run to execute here, skipping the queue: the run starts in the admitting statement, which also
   * writes its input and reads its context, and executes in the background with its frames kept in memory for the
   * caller. A context that another run or a compaction holds: admitted as the statement decides (409 or queued).
   */
  async admitInPlace(params: AdmitRun): Promise<AdmittedRun> {
    const { agentId, conversationId } = params;
    const runId = newId('run');
    const messages = params.request.input.map((m) => inputRow({ agentId, conversationId, runId, stepId: null }, m));
    const signal = this.cancellation.listen(runId);
    let admitted: Admitted | undefined;
    try {
      admitted = await this.runs.admit(params, {
        runId,
        workerId: this.workerId,
        messages,
        read: (a, c, d) => contextSql(conversationId, a, c, d),
        digest: this.store.windowDigest(agentId, conversationId),
      });
    } finally {
      if (!admitted?.startedWith) this.cancellation.unwatch(runId);
    }
    if (!admitted.startedWith) return admitted.run;
    const run: AdmittedRun = { ...admitted.run, frameLog: new InMemoryFrameLog() };
    const preloaded = { context: admitted.startedWith as unknown as ContextRow, messages, xmin: admitted.writtenXmin, digest: admitted.writtenDigest };
    const execution = (async () => {
      try {
        await this.executeStarted(run, signal, run.frameLog!, preloaded);
      } finally {
        this.cancellation.unwatch(runId);
      }
    })().finally(() => this.executingHere.delete(execution));
    this.executingHere.add(execution);
    return run;
  }

  /** A stopping process first lets the runs it executes in place finish; their callers are waiting on them. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.executingHere]);
  }

  /**
   * Ends a run whose worker died: steps are atomic, so the history is consistent; the run fails with a clear reason
   * rather than replaying half of a turn.
   */
  async failAbandoned(runId: string): Promise<void> {
    await this.end(runId, this.events.sink(runId), 'error', WORKER_DIED);
  }

  /** Ends a run that no loop is executing: its outcome, then (when this call ended it) its terminal frames. */
  async end(runId: string, sink: FrameSink, stopReason: StopReason, error?: TurnError): Promise<void> {
    if (!(await this.runs.finalize(runId, { stopReason, error }))) return;
    await sink.append(new RunFrameWriter(runId, await sink.lastSeq()).terminal(stopReason, error));
  }

  /** Runs the loop, then ends the run. A failure outside the loop still ends the run. */
  private async executeStarted(run: StartedRun, signal: AbortSignal, sink: FrameSink, preloaded?: TurnRequest['preloaded']): Promise<void> {
    try {
      const ended = await this.runLoop(run, signal, sink, preloaded);
      const { outcome } = ended;
      if (outcome.runEnding) await this.runs.afterFinalize(run.id, outcome.runEnding as unknown as RunEnding);
      else await this.runs.finalize(run.id, { ...outcome, ttftNs: ended.ttftNs });
      // Only now the closing frames: a client that sees `[DONE]` always finds the run ended.
      await sink.append(ended.closing);
      if ((outcome.contextRatio ?? 0) > this.config.compaction.backgroundRatio) {
        // The next turn should start lean: compact between turns rather than in the middle of the next one.
        await this.queues.enqueueCompaction(run.agentId, run.conversationId).catch((error) => this.logger.warn({ runId: run.id, err: error }, 'could not queue compaction'));
      }
    } catch (error) {
      // runLoop records the loop's own failures; what reaches here is storage failing.
      this.logger.error({ runId: run.id, err: error }, 'run could not execute');
      await this.end(run.id, sink, 'error', internalError(error)).catch((err) => this.logger.error({ runId: run.id, err }, 'run could not be ended'));
    }
  }

  /** Executes the loop, writing its messages as they come; returns its outcome and the frames that close the run. */
  private async runLoop(run: StartedRun, signal: AbortSignal, sink: FrameSink, preloaded?: TurnRequest['preloaded']): Promise<TurnEnd> {
    const runId = run.id;
    const started = process.hrtime.bigint();
    let ttftNs: bigint | null = null;
    const writer = new RunFrameWriter(runId);
    let outcome: TurnEnd['outcome'] | null = null;
    let closing: RunFrame[] = [];
    try {
      // A turn ending in a step without tool calls ends its run in the statement committing that step.
      const endRun = (stopReason: StopReason, params: unknown[]) =>
        this.runs.finalizeSql(runId, { stopReason, ttftNs: ttftNs ?? process.hrtime.bigint() - started }, params);
      const turn = this.loop.run({ agentId: run.agentId, conversationId: run.conversationId, ...run.request, runId, signal, preloaded, endRun });
      for await (const event of turn) {
        if (event.type === 'message' || event.type === 'delta') {
          ttftNs ??= process.hrtime.bigint() - started;
          await sink.append(writer.frames(event));
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
    return { outcome, closing, ttftNs };
  }
}
