import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { DomainError, STATUS_BY_CODE } from './errors';

/**
 * Maps every error to Letta's `{"detail": ...}` envelope; unknown errors become a logged 500 without internals. Nest
 * also routes Fastify's own request errors here (the body's parsing and size, an unsupported media type).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const { status, body } = this.toHttp(error, ctx.getRequest<FastifyRequest>());
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    if (status === HttpStatus.CONFLICT || status >= 500) reply.header('x-should-retry', 'false');
    reply.status(status).send(body);
  }

  private toHttp(error: unknown, request: FastifyRequest): { status: number; body: Record<string, unknown> } {
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
