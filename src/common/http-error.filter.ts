import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainError, STATUS_BY_CODE } from './errors';

/** Maps every error to Letta's `{"detail": ...}` envelope; unknown errors become a logged 500 without internals. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request & { id?: string }>();
    const { status, body } = this.toHttp(error, request);
    if (response.headersSent) {
      response.end();
      return;
    }
    if (status === HttpStatus.CONFLICT || status >= 500) response.setHeader('x-should-retry', 'false');
    response.status(status).json(body);
  }

  private toHttp(error: unknown, request: Request & { id?: string }): { status: number; body: Record<string, unknown> } {
    if (error instanceof DomainError) {
      return { status: STATUS_BY_CODE[error.code], body: { detail: error.message, ...error.extra } };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const payload = error.getResponse();
      const detail = typeof payload === 'string' ? payload : ((payload as { message?: unknown }).message ?? error.message);
      return { status, body: { detail: Array.isArray(detail) ? detail.join('; ') : detail } };
    }
    if (error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === '23505') {
      return { status: HttpStatus.CONFLICT, body: { detail: 'A record with these values already exists' } };
    }
    this.logger.error({ err: error, requestId: request.id }, 'Unhandled error');
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { detail: 'An unknown error occurred', request_id: request.id } };
  }
}
