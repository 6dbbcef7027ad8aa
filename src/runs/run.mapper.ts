import type { RunEntity } from './run.entity';

export function toRunResponse(run: RunEntity) {
  return {
    id: run.id,
    agent_id: run.agentId,
    conversation_id: run.conversationId,
    status: run.status,
    stop_reason: run.stopReason,
    background: run.background,
    metadata: run.metadata,
    request_config: run.requestConfig,
    callback_url: run.callbackUrl,
    callback_sent_at: run.callbackSentAt?.toISOString() ?? null,
    callback_status_code: run.callbackStatusCode,
    callback_error: run.callbackError,
    created_at: run.createdAt.toISOString(),
    completed_at: run.completedAt?.toISOString() ?? null,
    ttft_ns: run.ttftNs === null ? null : Number(run.ttftNs),
    total_duration_ns: run.totalDurationNs === null ? null : Number(run.totalDurationNs),
    base_template_id: null,
  };
}
