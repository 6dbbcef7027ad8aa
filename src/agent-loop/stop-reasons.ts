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

export type ErrorType =
  | 'llm_timeout'
  | 'llm_rate_limit'
  | 'llm_authentication'
  | 'llm_bad_request'
  | 'llm_empty_response'
  | 'llm_error'
  | 'internal_error'
  | 'context_window_overflow_in_system_prompt';

export interface TurnError {
  type: ErrorType;
  message: string;
}

const TYPE_BY_KIND: Record<LlmErrorKind, ErrorType> = {
  timeout: 'llm_timeout',
  rate_limit: 'llm_rate_limit',
  authentication: 'llm_authentication',
  context_overflow: 'llm_bad_request',
  bad_request: 'llm_bad_request',
  server: 'llm_error',
  connection: 'llm_error',
  invalid_response: 'llm_error',
};

/** How a non-streaming request reports each error type, following Letta's HTTP mapping of model errors. */
const CODE_BY_TYPE: Record<ErrorType, ErrorCode> = {
  llm_timeout: ErrorCode.LlmTimeout,
  llm_rate_limit: ErrorCode.LlmRateLimit,
  llm_authentication: ErrorCode.LlmAuthentication,
  llm_bad_request: ErrorCode.LlmBadRequest,
  llm_empty_response: ErrorCode.LlmFailed,
  llm_error: ErrorCode.LlmFailed,
  internal_error: ErrorCode.Internal,
  context_window_overflow_in_system_prompt: ErrorCode.InvalidArgument,
};

export function errorCodeOf(type: string): ErrorCode {
  return CODE_BY_TYPE[type as ErrorType] ?? ErrorCode.Internal;
}

/** Letta's stop reason and error for a failed model call. */
export function classifyLlmError(error: LlmError): { stopReason: StopReason; error: TurnError } {
  return {
    stopReason: error.kind === 'invalid_response' ? 'invalid_llm_response' : 'llm_api_error',
    error: { type: TYPE_BY_KIND[error.kind], message: `${describeKind(error.kind)}: ${error.message}` },
  };
}

export function internalError(error: unknown): TurnError {
  return { type: 'internal_error', message: `An error occurred during agent execution: ${(error as Error)?.message ?? error}` };
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

