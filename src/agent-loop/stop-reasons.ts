import { ErrorCode } from '../common/errors';
import { LlmError, LlmErrorKind } from '../llm/llm.types';

export type StopReason =
  | 'end_turn'
  | 'error'
  | 'llm_api_error'
  | 'invalid_llm_response'
  | 'invalid_tool_call'
  | 'max_steps'
  | 'max_tokens_exceeded'
  | 'no_tool_call'
  | 'tool_rule'
  | 'cancelled'
  | 'requires_approval'
  | 'context_window_overflow_in_system_prompt';

export type ErrorType = 'llm_timeout' | 'llm_rate_limit' | 'llm_authentication' | 'llm_empty_response' | 'llm_error' | 'internal_error';

export interface TurnError {
  type: ErrorType;
  message: string;
  /** How a non-streaming request reports it, following Letta's HTTP mapping of model errors. */
  code: ErrorCode;
}

const ERROR_BY_KIND: Record<LlmErrorKind, { type: ErrorType; code: ErrorCode }> = {
  timeout: { type: 'llm_timeout', code: ErrorCode.LlmTimeout },
  rate_limit: { type: 'llm_rate_limit', code: ErrorCode.LlmRateLimit },
  authentication: { type: 'llm_authentication', code: ErrorCode.LlmAuthentication },
  context_overflow: { type: 'llm_error', code: ErrorCode.LlmBadRequest },
  bad_request: { type: 'llm_error', code: ErrorCode.LlmBadRequest },
  server: { type: 'llm_error', code: ErrorCode.LlmFailed },
  connection: { type: 'llm_error', code: ErrorCode.LlmFailed },
  invalid_response: { type: 'llm_error', code: ErrorCode.LlmFailed },
};

/** Letta's stop reason and error for a failed model call. */
export function classifyLlmError(error: LlmError): { stopReason: StopReason; error: TurnError } {
  const { type, code } = ERROR_BY_KIND[error.kind];
  return {
    stopReason: error.kind === 'invalid_response' ? 'invalid_llm_response' : 'llm_api_error',
    error: { type, code, message: `${describeKind(error.kind)}: ${error.message}` },
  };
}

export function internalError(error: unknown): TurnError {
  return { type: 'internal_error', code: ErrorCode.Internal, message: `An error occurred during agent execution: ${(error as Error)?.message ?? error}` };
}

function describeKind(kind: LlmErrorKind): string {
  switch (kind) {
    case 'timeout':
      return 'The model provider timed out';
    case 'rate_limit':
      return 'The model provider is rate limiting requests';
    case 'authentication':
      return 'The model provider rejected the credentials';
    case 'context_overflow':
      return 'The request exceeded the model context window';
    case 'invalid_response':
      return 'The model provider sent an invalid response';
    default:
      return 'The model provider failed';
  }
}

/** Run status implied by a stop reason, as Letta maps them. */
export function runStatusOf(stopReason: StopReason): 'completed' | 'failed' | 'cancelled' {
  if (stopReason === 'cancelled') return 'cancelled';
  return ['end_turn', 'max_steps', 'tool_rule', 'requires_approval'].includes(stopReason) ? 'completed' : 'failed';
}
