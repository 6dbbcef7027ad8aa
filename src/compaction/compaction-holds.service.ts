import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { conflict, notFound } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RunsService } from '../runs/runs.service';

/** A context held by a compaction outside a turn. */
interface CompactionHold {
  agentId: string;
  contextId: string;
  holder: string;
}

/**
 * What the work holding a context gets: first in the transaction writing the compaction, it makes sure the hold is still
 * there and keeps runs from being admitted until the transaction ends (it locks the agent row, as admission does). A
 * hold that expired answers 409.
 */
export type ConfirmHeld = (manager: EntityManager) => Promise<void>;

/** How often a held context is asked for again while its runs end. */
const RETRY_MS = 100;

/**
 * A compaction outside a turn holds its context in Postgres, where admission excludes runs from each other: it takes
 * the context only when no run is active there, runs admitted meanwhile wait for it, and its end starts the first of
 * them (the CompactionHolds migration). A hold is renewed while its holder lives and expires `RUN_LOCK_MS` after it
 * stops; the workers' recovery sweep then starts what waited.
 */
@Injectable()
export class CompactionHolds {
  private readonly logger = new Logger(CompactionHolds.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly runs: RunsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Runs `work` holding the context if no run is active there; `undefined` without running it otherwise. */
  async ifFree<T>(agentId: string, conversationId: string | null, work: (confirmHeld: ConfirmHeld) => Promise<T>): Promise<T | undefined> {
    const hold = await this.begin(agentId, conversationId);
    return hold ? this.keepWhile(hold, work) : undefined;
  }

  /** Runs `work` holding the context; waits up to `waitMs` for its runs to end, then answers 409. */
  async hold<T>(agentId: string, conversationId: string | null, waitMs: number, work: (confirmHeld: ConfirmHeld) => Promise<T>): Promise<T> {
    const deadline = Date.now() + waitMs;
    let hold: CompactionHold | null;
    while (!(hold = await this.begin(agentId, conversationId))) {
      if (Date.now() >= deadline) throw conflict('The context is busy (a run or a compaction is active); try again shortly');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    return this.keepWhile(hold, work);
  }

  private async confirm(manager: EntityManager, hold: CompactionHold): Promise<void> {
    await manager.query('SELECT 1 FROM agents WHERE id = $1 FOR UPDATE', [hold.agentId]);
    const [held] = await manager.query('SELECT 1 FROM compaction_holds WHERE context_id = $1 AND holder = $2 AND expires_at > now()', [hold.contextId, hold.holder]);
    if (!held) throw conflict('The compaction lost its hold on the context (its holder stalled); the context was left unchanged');
  }

  /** Ends the holds whose holders stopped renewing them, and starts the runs that waited on them. */
  async sweepExpired(): Promise<void> {
    const rows: { next_run_id: string }[] = await this.dataSource.query('SELECT next_run_id FROM mnemo_sweep_compaction_holds()');
    for (const { next_run_id } of rows) await this.runs.dispatch(next_run_id).catch(() => undefined);
  }

  private async begin(agentId: string, conversationId: string | null): Promise<CompactionHold | null> {
    const holder = randomUUID();
    const [{ outcome }]: { outcome: 'held' | 'busy' | 'no_agent' | 'no_conversation' }[] = await this.dataSource.query('SELECT mnemo_begin_compaction($1, $2, $3, $4) AS outcome', [
      agentId,
      conversationId,
      holder,
      this.config.runs.lockMs,
    ]);
    if (outcome === 'no_agent') throw notFound('Agent', agentId);
    if (outcome === 'no_conversation') throw notFound('Conversation', conversationId!);
    return outcome === 'held' ? { agentId, contextId: conversationId ?? agentId, holder } : null;
  }

  private async keepWhile<T>(hold: CompactionHold, work: (confirmHeld: ConfirmHeld) => Promise<T>): Promise<T> {
    const { lockMs } = this.config.runs;
    const renew = setInterval(
      () =>
        void this.dataSource
          .query(`UPDATE compaction_holds SET expires_at = now() + $3 * interval '1 millisecond' WHERE context_id = $1 AND holder = $2 AND expires_at > now()`, [
            hold.contextId,
            hold.holder,
            lockMs,
          ])
          .catch((error) => this.logger.warn({ contextId: hold.contextId, err: error }, 'could not renew a compaction hold')),
      lockMs / 5,
    );
    try {
      return await work((manager) => this.confirm(manager, hold));
    } finally {
      clearInterval(renew);
      await this.end(hold).catch((error) => this.logger.warn({ contextId: hold.contextId, err: error }, 'could not end a compaction hold; it expires on its own'));
    }
  }

  private async end(hold: CompactionHold): Promise<void> {
    const [{ next }]: { next: string | null }[] = await this.dataSource.query('SELECT mnemo_end_compaction($1, $2) AS next', [hold.contextId, hold.holder]);
    if (next) await this.runs.dispatch(next);
  }
}
