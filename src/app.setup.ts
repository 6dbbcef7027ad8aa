import { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { json } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { validationError } from './common/errors';
import { HttpErrorFilter } from './common/http-error.filter';
import { createValidationPipe } from './common/validation';
import { VERSION } from './common/version';

/** Nest's own body parser must be off (`bodyParser: false`): this one reports malformed JSON as 422, as Letta does. */
export const NEST_APP_OPTIONS = { bodyParser: false, bufferLogs: true } as const;

/** HTTP behaviour shared by `npm start` and the tests: body parsing, validation, error envelope, OpenAPI, CORS. */
export function configureApp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
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
