import { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { json } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { validationError } from './common/errors';
import { HttpErrorFilter } from './common/http-error.filter';
import { JsonLogger, requestLogging } from './common/logging';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { VERSION } from './common/version';

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
export function configureApp(app: INestApplication, logger: JsonLogger): void {
  app.use(requestLogging(logger.pino));
  app.use(json({ limit: '50mb' }));
  app.use((error: { type?: string; message?: string }, _req: Request, _res: Response, next: NextFunction) => {
    next(error?.type === 'entity.parse.failed' ? validationError(`Invalid JSON body: ${error.message}`) : error);
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableCors();
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
