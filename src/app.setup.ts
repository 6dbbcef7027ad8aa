import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { validationError } from './common/errors';
import { HttpErrorFilter } from './common/http-error.filter';
import { JsonLogger, REQUEST_ID_OPTIONS, requestLogging } from './common/logging';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { VERSION } from './common/version';

const BODY_LIMIT_BYTES = 50 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by `drain`: the process is shutting down. */
    draining: boolean;
  }
}

/**
 * The HTTP server: Fastify, with paths matched with or without their trailing slash (the Letta SDK and CLI use both),
 * path parameters as long as block labels and names may be, request ids taken from `x-request-id` when the caller sends
 * one.
 */
export function httpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    ...REQUEST_ID_OPTIONS,
    logger: false,
    // Fastify's own answer once it closes is not in the `{"detail": ...}` envelope; `configureApp`'s is.
    return503OnClosing: false,
  });
}

/**
 * Options of the Nest application: logs as JSON lines from the start, and Nest's own body parser off (the one
 * `configureApp` installs reports malformed JSON as 422, as Letta does).
 */
export function appOptions(config: AppConfig) {
  return { bodyParser: false, logger: new JsonLogger(config.logLevel) };
}

/**
 * HTTP behaviour shared by `npm start` and the tests: request ids and logs, body parsing, validation, error envelope,
 * OpenAPI, CORS.
 */
export function configureApp(app: NestFastifyApplication, logger: JsonLogger): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', requestLogging(logger.pino));
  fastify.decorate('draining', false);
  // After the CORS headers (set on request), before the body is read. A callback hook: no promise per request.
  fastify.addHook('preParsing', (_request, reply, payload, done) => {
    if (!fastify.draining) return done(null, payload);
    reply.code(503).header('connection', 'close').send({ detail: 'This server is shutting down; send the request again' });
  });
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, {});
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(validationError(`Invalid JSON body: ${(error as Error).message}`), undefined);
    }
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableCors({ methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'] });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Mnemo')
      .setDescription('Self-hosted server for stateful AI agents, compatible with the Letta REST API (v1).')
      .setVersion(VERSION)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
}

/**
 * Starts a graceful stop: from now on the server answers every new request 503 (with `Connection: close`, so a load
 * balancer or client goes elsewhere), while the requests it took before (a send waiting for its turn) run to the end.
 */
export function drain(app: NestFastifyApplication): void {
  app.getHttpAdapter().getInstance().draining = true;
}
