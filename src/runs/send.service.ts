import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { emptyUsage, UsageStatistics } from '../agent-loop/agent-loop.service';
import { errorCodeOf, StopReason } from '../agent-loop/stop-reasons';
import { conflict, DomainError, ErrorCode, invalidArgument, notFound } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ProvidersService } from '../llm/providers.service';
import { SendMessageDto } from '../messages/dto/send-message.dto';
import { filterTypes, LettaMessage } from '../messages/letta-message';
import { assertSyncOptions, normalizeInput } from '../messages/send-input';
import { RunCancellationService } from './run-cancellation.service';
import { AdmittedRun, RunExecutor } from './run-executor.service';
import { RunEntity } from './run.entity';
import { RunEventsService } from './run-events.service';
import { AdmitRun, RunsService } from './runs.service';
import { openSse, writeRunFrames } from './sse-response';
import { parseFrame } from './sse-frames';
import { FollowOptions, followFrames, RunFrame } from './frame-log';

export type SendMode = 'sync' | 'stream' | 'async';

export interface LettaResponse {
  messages: LettaMessage[];
  stop_reason: { message_type: 'stop_reason'; stop_reason: StopReason };
  usage: UsageStatistics;
}

const RUN_TYPES: Record<SendMode, string> = { sync: 'send_message', stream: 'send_message_streaming', async: 'send_message_async' };
const CANCEL_WAIT_MS = 5000;

/** Every way of sending a message is a view on one mechanism: admit a run, let a worker execute it, read its frames. */
@Injectable()
export class SendService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: RunsService,
    private readonly events: RunEventsService,
    private readonly providers: ProvidersService,
    private readonly cancellation: RunCancellationService,
    private readonly executor: RunExecutor,
  ) {}

  /**
   * Validates the request (4xx before anything is written; an unknown agent is a 404 from admission), then admits its run. A foreground run on a free context
   * starts at once in this process when it is a worker too; otherwise a worker takes it from the queue.
   */
  async admit(agentId: string, dto: SendMessageDto & { callback_url?: string | null }, mode: SendMode, conversationId: string | null = null): Promise<AdmittedRun> {
    if (mode === 'sync') assertSyncOptions(dto);
    if (dto.client_tools?.length) throw invalidArgument('client_tools are not supported by this server yet');
    const input = normalizeInput(dto);
    // A model named by the request is checked before anything is written; the agent's (or conversation's) own model was
    // checked when it was set, and if its provider stops serving it the turn fails as on any provider error.
    if (dto.override_model) await this.providers.resolve(dto.override_model);
    const background = mode === 'async' || Boolean(dto.background);
    const params: AdmitRun = {
      agentId,
      conversationId,
      request: {
        input,
        maxSteps: dto.max_steps,
        overrideModel: dto.override_model,
        overrideSystem: dto.override_system,
        streamTokens: mode === 'stream' && Boolean(dto.stream_tokens),
        includeCompactionMessages: Boolean(dto.include_compaction_messages),
      },
      background,
      runType: conversationId ? 'send_conversation_message' : RUN_TYPES[mode],
      requestConfig: {
        use_assistant_message: dto.use_assistant_message ?? true,
        assistant_message_tool_name: dto.assistant_message_tool_name ?? 'send_message',
        assistant_message_tool_kwarg: dto.assistant_message_tool_kwarg ?? 'message',
        include_return_message_types: dto.include_return_message_types ?? null,
      },
      callbackUrl: dto.callback_url,
      ifBusy: dto.if_busy,
    };
    if (!background && this.executor.executesInPlace) return this.executor.admitInPlace(params);
    return (await this.runs.admit(params)).run;
  }

  private follow(run: AdmittedRun, afterSeq: number, options: FollowOptions): AsyncGenerator<RunFrame | null> {
    return run.frameLog ? followFrames(run.frameLog, afterSeq, options) : this.events.follow(run.id, afterSeq, options);
  }

  /** Waits for the run's last frame and answers as Letta's non-streaming endpoint does. */
  async response(run: AdmittedRun, include?: readonly string[] | null): Promise<LettaResponse> {
    const messages: LettaMessage[] = [];
    let stopReason: StopReason = 'end_turn';
    let usage: UsageStatistics | null = null;
    for await (const frame of this.follow(run, 0, { batchSize: 500, idleMs: 60_000 })) {
      const parsed = frame && parseFrame(frame);
      if (!parsed) continue;
      const { payload } = parsed;
      if (parsed.error) {
        throw new DomainError(errorCodeOf(payload.error_type as string), payload.message as string, {
          stop_reason: stopReason,
          run_id: run.id,
          error: { type: payload.error_type, message: payload.message },
        });
      }
      if (payload.message_type === 'stop_reason') stopReason = payload.stop_reason as StopReason;
      else if (payload.message_type === 'usage_statistics') usage = withoutSeq(payload) as unknown as UsageStatistics;
      else messages.push(withoutSeq(payload) as LettaMessage);
    }
    return {
      messages: filterTypes(messages, include),
      stop_reason: { message_type: 'stop_reason', stop_reason: stopReason },
      usage: usage ?? emptyUsage(run.id),
    };
  }

  async stream(run: AdmittedRun, reply: FastifyReply, options: { includePings: boolean; startingAfter?: number; batchSize?: number }): Promise<void> {
    const abort = new AbortController();
    const res = openSse(reply);
    res.on('close', () => abort.abort());
    const after = options.startingAfter ?? 0;
    const frames = this.follow(run, after, { batchSize: options.batchSize ?? 100, idleMs: this.config.runs.pingIntervalMs, signal: abort.signal });
    await writeRunFrames(res, run.id, frames, { includePings: options.includePings, lastSeq: after });
  }

  /** Checks that a run can be resumed: a background run whose frames are still kept. */
  async resumable(runId: string): Promise<RunEntity> {
    const run = await this.runs.get(runId);
    if (!run.background) throw invalidArgument(`Run ${runId} was not created in background mode, so its stream cannot be resumed`);
    const age = Date.now() - run.createdAt.getTime();
    let kept: boolean;
    try {
      kept = await this.events.exists(runId);
    } catch {
      throw new DomainError(ErrorCode.Unavailable, 'The run event store (Redis) is unreachable');
    }
    if (!kept && (age > this.config.runs.streamRetentionSeconds * 1000 || run.completedAt)) {
      throw new DomainError(ErrorCode.Expired, `The stream of run ${runId} has expired; read its messages from GET /v1/runs/${runId}/messages`);
    }
    return run;
  }

  /**
   * Cancels the given (or every active) run of a context. A running run is stopped by its worker, which records the
   * outcome; a run whose worker does not answer in time is ended here.
   */
  async cancel(agentId: string, conversationId: string | null, runIds?: string[] | null): Promise<Record<string, 'cancelled' | 'failed'>> {
    const ids = runIds?.length ? runIds : await this.runs.activeRunIds(agentId, conversationId);
    if (ids.length === 0) throw conflict('No active runs to cancel');
    const result: Record<string, 'cancelled' | 'failed'> = {};
    for (const id of ids) {
      const run = await this.runs.get(id);
      if (run.agentId !== agentId) throw notFound('Run', `${id} of agent ${agentId}`);
      result[id] = (await this.cancelRun(run)) ? 'cancelled' : 'failed';
    }
    return result;
  }

  private async cancelRun(run: RunEntity): Promise<boolean> {
    if (run.status !== 'created' && run.status !== 'running') return false;
    await this.cancellation.request(run.id);
    if (run.status === 'created' && !run.dispatched) {
      await this.executor.end(run.id, this.events.sink(run.id), 'cancelled');
    } else {
      const deadline = Date.now() + CANCEL_WAIT_MS;
      while (Date.now() < deadline && ['created', 'running'].includes((await this.runs.get(run.id)).status)) await sleep(25);
      const current = await this.runs.get(run.id);
      if (current.status === 'created' || current.status === 'running') {
        await this.executor.end(run.id, this.events.sink(run.id), 'cancelled');
      }
    }
    return (await this.runs.get(run.id)).status === 'cancelled';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withoutSeq(payload: Record<string, unknown>): Record<string, unknown> {
  const { seq_id: _seq, ...rest } = payload;
  return { ...rest, seq_id: null };
}
