import { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import pino, { DestinationStream, Level, Logger } from 'pino';
import type { AppConfig } from '../config/config';

/**
 * Nest's logger written as pino JSON lines. `new Logger(Name).warn({ runId, err }, 'message')` puts the object's fields
 * on the line and the class name under `context`: Nest passes the context as the last argument.
 */
export class JsonLogger implements LoggerService {
  readonly pino: Logger;

  constructor(level: AppConfig['logLevel'], destination?: DestinationStream) {
    this.pino = destination ? pino({ level }, destination) : pino({ level });
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = rest.length > 0 ? { context: rest[rest.length - 1] } : {};
    const params = rest.slice(0, -1);
    if (message instanceof Error) fields.err = message;
    else if (typeof message === 'object' && message !== null) Object.assign(fields, message);
    else if (typeof params[0] === 'string' && /\n\s*at /.test(params[0])) {
      // Nest's own exception handlers call error(message, stack)
      fields.err = { message, stack: params[0] };
      this.pino[level](fields, String(message));
      return;
    } else params.unshift(message);
    this.pino[level](fields, ...(params as [string, ...unknown[]]));
  }
}

/** Fastify options giving every request an id: the caller's `x-request-id`, or a new one. */
export const REQUEST_ID_OPTIONS = { requestIdHeader: 'x-request-id', genReqId: () => randomUUID() };

/**
 * An `onRequest` hook echoing every request's id (see `REQUEST_ID_OPTIONS`) and logging each response when it closes:
 * 5xx as errors, 4xx as warnings, the rest at info.
 */
export function requestLogging(logger: Logger) {
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const res = reply.raw;
    res.setHeader('x-request-id', req.id);
    const started = performance.now();
    res.once('close', () => {
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line = { req: { id: req.id, method: req.method, url: req.url }, res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) };
      // A stream the client left before its end closes without finishing.
      logger[level](line, res.writableFinished ? 'request completed' : 'request closed by the client');
    });
    done();
  };
}
