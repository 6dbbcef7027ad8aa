import { Injectable, Logger } from '@nestjs/common';
import { RunsService } from './runs.service';
import { toRunResponse } from './run.mapper';

const CALLBACK_TIMEOUT_MS = 5000;

/**
 * POSTs `{run_id, status, completed_at, metadata}` to a run's `callback_url` once it ended, with the run's messages and
 * usage in `metadata.result`. A failure throws so the queue retries with backoff; the worker that ran the turn never waits.
 */
@Injectable()
export class CallbackSender {
  private readonly logger = new Logger(CallbackSender.name);

  constructor(private readonly runs: RunsService) {}

  async send(runId: string): Promise<void> {
    const run = await this.runs.find(runId);
    if (!run?.callbackUrl || run.callbackStatusCode && run.callbackStatusCode < 300) return;
    const [messages, usage] = await Promise.all([this.runs.messages(runId, { limit: 1000 }), this.runs.usage(runId)]);
    const body = {
      run_id: run.id,
      status: run.status,
      completed_at: run.completedAt?.toISOString() ?? null,
      metadata: {
        ...run.metadata,
        result: {
          messages: messages.filter((m) => m.message_type !== 'user_message'),
          stop_reason: { message_type: 'stop_reason', stop_reason: run.stopReason },
          usage: { message_type: 'usage_statistics', ...usage, run_ids: [run.id] },
        },
      },
      run: toRunResponse(run),
    };
    try {
      const response = await fetch(run.callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      });
      await this.runs.recordCallback(runId, { statusCode: response.status, error: response.ok ? undefined : `HTTP ${response.status}` });
      if (!response.ok) throw new Error(`callback answered HTTP ${response.status}`);
    } catch (error) {
      const message = (error as Error).message;
      await this.runs.recordCallback(runId, { error: message });
      this.logger.warn({ runId, err: message }, 'callback failed; will retry');
      throw error;
    }
  }
}
