import { BY_SEQ } from '../messages/in-context';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull } from 'typeorm';
import { runStatusOf, StopReason, TurnError } from '../agent-loop/stop-reasons';
import { conflict, DomainError, ErrorCode, notFound } from '../common/errors';
import { newId } from '../common/ids';
import { keysetPage, PageQueryDto } from '../common/pagination';
import { LettaMessage, toLettaMessages } from '../messages/letta-message';
import { MessageEntity } from '../messages/message.entity';
import { QueuesService } from '../queue/queues.service';
import { StepEntity } from '../steps/step.entity';
import { insertWhenSql, writtenDigestSql, WRITTEN_XMIN_SQL } from '../database/insert-rows';
import { queryPrepared } from '../database/prepared';
import { ACTIVE_STATUSES, RunEntity, RunRequest, StartedRun } from './run.entity';

export type BusyPolicy = 'reject' | 'queue';

export interface AdmitRun {
  agentId: string;
  conversationId: string | null;
  request: RunRequest;
  background: boolean;
  runType: string;
  requestConfig: Record<string, unknown>;
  callbackUrl?: string | null;
  ifBusy?: BusyPolicy;
}

/** A run the admitting process executes itself when it can start at once (see `admit`). */
export interface StartInPlace {
  runId: string;
  workerId: string;
  /** Messages written with the run when it starts: its input. */
  messages: MessageEntity[];
  /**
   * SQL of one row read in the same statement when the run starts; `agent` and `conversation` are the parameters
   * holding their ids, `digest` the one holding `digest`.
   */
  read: (agent: string, conversation: string, digest: string) => string;
  /** The digest of the context's window as the admitting process remembers it (see `contextSql`), or null. */
  digest: string | null;
}

export interface Admitted {
  run: RunEntity;
  /** The row `StartInPlace.read` read, when the run started in place. */
  startedWith?: Record<string, unknown>;
  /** The `xmin` of the rows admission wrote (the run, its input), when the run started in place. */
  writtenXmin?: string;
  /** The `ROW_DIGEST` of the input admission wrote, when the run started in place. */
  writtenDigest?: string;
}

export interface RunOutcome {
  stopReason: StopReason;
  error?: TurnError;
  ttftNs?: bigint | null;
}

/** The row `mnemo_finalize_run` returns. */
export interface RunEnding {
  ended: boolean;
  callback_url: string | null;
  next_run_id: string | null;
}

export interface ListRunsQuery extends PageQueryDto {
  agent_id?: string | null;
  conversation_id?: string | null;
  statuses?: string[];
  background?: boolean;
  stop_reason?: string | null;
  active?: boolean;
}

/**
 * The lifecycle of runs. Admission and completion both lock the agent row, so for one context (agent or conversation)
 * at most one run executes at a time and waiting runs start in admission order.
 */
@Injectable()
export class RunsService {
  private readonly logger = new Logger(RunsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
  ) {}

  /**
   * Records a run, or answers 409 when its context is busy (unless it may wait). With `inPlace`, a run that can start
   * at once starts in the same statement, held by the given worker, with its input written and its context read.
   */
  async admit(params: AdmitRun, inPlace?: StartInPlace): Promise<Admitted> {
    const id = inPlace?.runId ?? newId('run');
    const metadata = { run_type: params.runType };
    const values: unknown[] = [
      id,
      params.agentId,
      params.conversationId,
      params.background,
      JSON.stringify(metadata),
      JSON.stringify(params.requestConfig),
      JSON.stringify(params.request),
      params.callbackUrl ?? null,
      params.ifBusy ?? 'reject',
      inPlace?.workerId ?? null,
    ];
    let sql = 'SELECT * FROM mnemo_admit_run($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';
    if (inPlace) {
      const started = `EXISTS (SELECT 1 FROM admitted WHERE outcome = 'started')`;
      const input = insertWhenSql(this.dataSource.manager, MessageEntity, inPlace.messages, values, started);
      const digest = `$${values.push(inPlace.digest)}`;
      const inputIds = `$${values.push(inPlace.messages.map((m) => m.id))}`;
      sql = `WITH admitted AS (${sql}), input AS (${input})
             SELECT admitted.*, row_to_json(r) AS started_with, ${WRITTEN_XMIN_SQL} AS written_xmin, ${writtenDigestSql(inputIds)} AS written_digest
               FROM admitted LEFT JOIN LATERAL (${inPlace.read('$2', '$3', digest)}) r ON admitted.outcome = 'started'`;
    }
    const [result]: {
      outcome: 'no_agent' | 'busy' | 'started' | 'dispatched' | 'waiting';
      run_id: string | null;
      started_with?: Record<string, unknown> | null;
      written_xmin?: string;
      written_digest?: string;
    }[] =
      await queryPrepared(this.dataSource, sql, values);
    if (result.outcome === 'no_agent') throw notFound('Agent', params.agentId);
    if (result.outcome === 'busy') {
      throw conflict(
        `Cannot send a new message: Another request (run_id=${result.run_id}) is currently being processed for this ${params.conversationId ? 'conversation' : 'agent'}. Please wait for it to complete, or send with if_busy='queue'.`,
        { run_id: result.run_id },
      );
    }
    if (result.outcome === 'dispatched') await this.dispatch(id);
    const now = new Date();
    const started = result.outcome === 'started';
    const run: RunEntity = {
      id,
      agentId: params.agentId,
      conversationId: params.conversationId,
      status: started ? 'running' : 'created',
      stopReason: null,
      background: params.background,
      dispatched: result.outcome !== 'waiting',
      metadata,
      requestConfig: params.requestConfig,
      request: params.request,
      callbackUrl: params.callbackUrl ?? null,
      callbackSentAt: null,
      callbackStatusCode: null,
      callbackError: null,
      workerId: started ? inPlace!.workerId : null,
      startedAt: started ? now : null,
      completedAt: null,
      ttftNs: null,
      totalDurationNs: null,
      createdAt: now,
      updatedAt: now,
    };
    return { run, startedWith: result.started_with ?? undefined, writtenXmin: result.written_xmin, writtenDigest: result.written_digest };
  }

  /** Marks a run running on a worker and returns what it needs; null when it is not waiting to start (cancelled, taken). */
  async start(runId: string, workerId: string): Promise<StartedRun | null> {
    const rows = await queryPrepared<{ agent_id: string; conversation_id: string | null; request: RunEntity['request'] }>(
      this.dataSource,
      `UPDATE runs SET status = 'running', worker_id = $2, started_at = now(), updated_at = now() WHERE id = $1 AND status = 'created'
       RETURNING agent_id, conversation_id, request`,
      [runId, workerId],
    );
    const row = rows[0];
    return row ? { id: runId, agentId: row.agent_id, conversationId: row.conversation_id, request: row.request } : null;
  }

  /**
   * Writes status and stop reason together, once (a run already ended keeps its first outcome), records the agent's last
   * run, and starts the next run waiting on the same context. Returns whether this call ended the run.
   */
  async finalize(runId: string, outcome: RunOutcome): Promise<boolean> {
    const params: unknown[] = [];
    const [result] = await queryPrepared<RunEnding | undefined>(this.dataSource, this.finalizeSql(runId, outcome, params), params);
    return this.afterFinalize(runId, result);
  }

  /** The statement of `finalize`, its parameters appended to `params`: to end a run together with other writes. */
  finalizeSql(runId: string, outcome: RunOutcome, params: unknown[]): string {
    const metadata = outcome.error ? { error: { type: outcome.error.type, message: outcome.error.message } } : {};
    params.push(runId, runStatusOf(outcome.stopReason), outcome.stopReason, JSON.stringify(metadata), outcome.ttftNs?.toString() ?? null);
    const n = params.length;
    return `SELECT * FROM mnemo_finalize_run($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
  }

  /** What follows the statement of `finalize`, given the row it returned. */
  async afterFinalize(runId: string, result: RunEnding | undefined): Promise<boolean> {
    if (!result) return false;
    if (result.next_run_id) await this.dispatch(result.next_run_id);
    if (result.callback_url) await this.queues.enqueueCallback(runId).catch((error) => this.logger.error({ runId, err: error }, 'could not queue the callback'));
    return result.ended;
  }

  /** The run a conversation stream resumes: the named one, the one that received `otid`, or the newest active one. */
  async findForResume(agentId: string, conversationId: string | null, runId?: string | null, otid?: string | null): Promise<RunEntity | null> {
    const repo = this.dataSource.getRepository(RunEntity);
    const scope = { agentId, conversationId: conversationId ?? IsNull() };
    if (runId) return repo.findOneBy({ id: runId, ...scope });
    if (otid) {
      return repo
        .createQueryBuilder('r')
        .where('r.agent_id = :agentId', { agentId })
        .andWhere(conversationId ? 'r.conversation_id = :cid' : 'r.conversation_id IS NULL', { cid: conversationId })
        .andWhere(`r.request -> 'input' @> :otid::jsonb`, { otid: JSON.stringify([{ otid }]) })
        .orderBy('r.created_at', 'DESC')
        .getOne();
    }
    return repo.findOne({ where: { ...scope, status: In(ACTIVE_STATUSES) }, order: { createdAt: 'DESC' } });
  }

  /** The runs being executed now, with the worker holding each. */
  async running(): Promise<{ id: string; workerId: string }[]> {
    const rows: { id: string; worker_id: string }[] = await this.dataSource.query(`SELECT id, worker_id FROM runs WHERE status = 'running' AND worker_id IS NOT NULL`);
    return rows.map((r) => ({ id: r.id, workerId: r.worker_id }));
  }

  async activeRunIds(agentId: string, conversationId: string | null): Promise<string[]> {
    const runs = await this.dataSource.getRepository(RunEntity).find({
      select: { id: true },
      where: { agentId, conversationId: conversationId ?? IsNull(), status: In(ACTIVE_STATUSES) },
      order: { createdAt: 'ASC' },
    });
    return runs.map((r) => r.id);
  }

  async get(runId: string): Promise<RunEntity> {
    const run = await this.dataSource.getRepository(RunEntity).findOneBy({ id: runId });
    if (!run) throw notFound('Run', runId);
    return run;
  }

  async find(runId: string): Promise<RunEntity | null> {
    return this.dataSource.getRepository(RunEntity).findOneBy({ id: runId });
  }

  list(query: ListRunsQuery): Promise<RunEntity[]> {
    const qb = this.dataSource.getRepository(RunEntity).createQueryBuilder('r');
    if (query.agent_id) qb.andWhere('r.agent_id = :agentId', { agentId: query.agent_id });
    if (query.conversation_id) qb.andWhere('r.conversation_id = :cid', { cid: query.conversation_id });
    if (query.statuses?.length) qb.andWhere('r.status IN (:...statuses)', { statuses: query.statuses });
    if (query.active) qb.andWhere("r.status IN ('created', 'running')");
    if (query.background !== undefined) qb.andWhere('r.background = :bg', { bg: query.background });
    if (query.stop_reason) qb.andWhere('r.stop_reason = :sr', { sr: query.stop_reason });
    return keysetPage(qb, { alias: 'r', table: 'runs', sortColumn: 'created_at', order: query.order ?? 'desc', limit: query.limit ?? 100, after: query.after, before: query.before });
  }

  async messages(runId: string, page: PageQueryDto): Promise<LettaMessage[]> {
    await this.get(runId);
    const qb = this.dataSource.getRepository(MessageEntity).createQueryBuilder('m').where('m.run_id = :runId', { runId });
    const rows = await keysetPage(qb, { ...BY_SEQ, order: page.order ?? 'asc', limit: page.limit ?? 100, after: page.after, before: page.before });
    return rows.flatMap((m) => toLettaMessages(m));
  }

  async steps(runId: string, page: PageQueryDto): Promise<StepEntity[]> {
    await this.get(runId);
    const qb = this.dataSource.getRepository(StepEntity).createQueryBuilder('s').where('s.run_id = :runId', { runId });
    return keysetPage(qb, { alias: 's', table: 'steps', sortColumn: 'created_at', order: page.order ?? 'desc', limit: page.limit ?? 100, after: page.after, before: page.before });
  }

  async usage(runId: string) {
    await this.get(runId);
    const [row] = await this.dataSource.query(
      `SELECT COALESCE(sum(prompt_tokens), 0)::int AS prompt, COALESCE(sum(completion_tokens), 0)::int AS completion, COALESCE(sum(total_tokens), 0)::int AS total,
              sum(cached_input_tokens)::int AS cached, sum(cache_write_tokens)::int AS cache_write, sum(reasoning_tokens)::int AS reasoning, count(*)::int AS steps
         FROM steps WHERE run_id = $1 AND status = 'success'`,
      [runId],
    );
    return {
      completion_tokens: row.completion,
      prompt_tokens: row.prompt,
      total_tokens: row.total,
      step_count: row.steps,
      prompt_tokens_details: row.cached !== null || row.cache_write !== null ? { cached_tokens: row.cached, cache_read_tokens: row.cached, cache_creation_tokens: row.cache_write } : null,
      completion_tokens_details: row.reasoning !== null ? { reasoning_tokens: row.reasoning } : null,
    };
  }

  async recordCallback(runId: string, result: { statusCode?: number; error?: string }): Promise<void> {
    await this.dataSource.getRepository(RunEntity).update(
      { id: runId },
      { callbackSentAt: new Date(), callbackStatusCode: result.statusCode ?? null, callbackError: result.error ?? null },
    );
  }

  /** Queues a run after the transaction that created it committed; a queue failure fails the run instead of losing it. */
  async dispatch(runId: string): Promise<void> {
    try {
      await this.queues.enqueueRun(runId);
    } catch (error) {
      this.logger.error({ runId, err: error }, 'could not queue the run');
      await this.finalize(runId, { stopReason: 'error', error: { type: 'internal_error', message: 'The run could not be queued: Redis is unreachable' } });
      throw new DomainError(ErrorCode.Unavailable, 'The run could not be queued: Redis is unreachable');
    }
  }
}

