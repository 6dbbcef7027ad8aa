import { HttpStatus } from '@nestjs/common';

/** Every failure a service can report; the HTTP status of each is fixed in STATUS_BY_CODE. */
export enum ErrorCode {
  Validation = 'VALIDATION',
  InvalidArgument = 'INVALID_ARGUMENT',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  Expired = 'EXPIRED',
  Unavailable = 'UNAVAILABLE',
  LlmTimeout = 'LLM_TIMEOUT',
  LlmRateLimit = 'LLM_RATE_LIMIT',
  LlmAuthentication = 'LLM_AUTHENTICATION',
  LlmBadRequest = 'LLM_BAD_REQUEST',
  LlmFailed = 'LLM_FAILED',
  Internal = 'INTERNAL',
}

export const STATUS_BY_CODE: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.Validation]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.InvalidArgument]: HttpStatus.BAD_REQUEST,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.Expired]: HttpStatus.GONE,
  [ErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.LlmTimeout]: HttpStatus.GATEWAY_TIMEOUT,
  [ErrorCode.LlmRateLimit]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.LlmAuthentication]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.LlmBadRequest]: HttpStatus.BAD_REQUEST,
  [ErrorCode.LlmFailed]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** A failure a caller can act on. Thrown by services (in HTTP handlers and workers alike), never HttpException. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra top-level fields of the error body, such as the blocking `run_id` of a 409. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new DomainError(ErrorCode.NotFound, `${what} ${id} not found`);
export const invalidArgument = (message: string) => new DomainError(ErrorCode.InvalidArgument, message);
export const validationError = (message: string) => new DomainError(ErrorCode.Validation, message);
export const conflict = (message: string, extra?: Record<string, unknown>) => new DomainError(ErrorCode.Conflict, message, extra);
