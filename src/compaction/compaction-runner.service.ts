import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode, invalidArgument } from '../common/errors';
import { loadWindow } from '../messages/in-context';
import { CompactionFailedError, CompactionService } from './compaction.service';
import { CompactionHolds } from './compaction-holds.service';

export interface CompactionResponse {
  summary: string;
  num_messages_before: number;
  num_messages_after: number;
}

/** Nothing to compact, the agent or conversation gone, the context taken: a background compaction just skips. */
const QUIET_BACKGROUND_ERRORS = [ErrorCode.InvalidArgument, ErrorCode.NotFound, ErrorCode.Conflict];

/** Compaction outside a turn: on request (the summarize and compact endpoints) or in the background between turns. */
@Injectable()
export class CompactionRunner {
  private readonly logger = new Logger(CompactionRunner.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly compaction: CompactionService,
    private readonly holds: CompactionHolds,
  ) {}

  async manual(agentId: string, conversationId: string | null, override?: Record<string, unknown> | null): Promise<CompactionResponse> {
    const window = await loadWindow(this.dataSource.manager, agentId, conversationId);
    const history = window.filter((m) => m.role !== 'system');
    if (history.length === 0 && conversationId) throw invalidArgument('No in-context messages found for this conversation.');
    if (history.every((m) => m.role === 'summary')) {
      // Letta's agent endpoint answers the summary already in place when there is nothing else to compact.
      const summary = history.at(-1)?.content.find((p) => p.type === 'text')?.summary ?? '';
      return { summary, num_messages_before: window.length, num_messages_after: window.length };
    }
    const result = await this.holds.hold(agentId, conversationId, 10_000, (confirmHeld) =>
      this.compaction.compact({ agentId, conversationId, trigger: 'manual', override, confirmHeld }).catch((error) => {
        if (error instanceof CompactionFailedError) throw new DomainError(ErrorCode.LlmFailed, error.message);
        throw error;
      }),
    );
    if (result.messagesAfter >= result.messagesBefore) {
      throw invalidArgument('Summarization failed to reduce the number of messages. You may not have enough messages to compact or need to use a different CompactionSettings (e.g. using `all` mode).');
    }
    return { summary: result.summary, num_messages_before: result.messagesBefore, num_messages_after: result.messagesAfter };
  }

  /**
   * Skips quietly when there is nothing to compact, and when the context is busy: the run active there queues another
   * compaction if it too ends above the ratio, so a retry would only compete with the next turns.
   */
  async background(agentId: string, conversationId: string | null): Promise<void> {
    try {
      await this.holds.ifFree(agentId, conversationId, (confirmHeld) =>
        this.compaction.compact({ agentId, conversationId, trigger: 'background', confirmHeld }),
      );
    } catch (error) {
      if (error instanceof DomainError && QUIET_BACKGROUND_ERRORS.includes(error.code)) return;
      this.logger.warn({ agentId, conversationId, err: (error as Error).message }, 'background compaction failed; the context is unchanged');
      throw error;
    }
  }
}
