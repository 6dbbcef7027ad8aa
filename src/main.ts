import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule } from './app.module';
import { appOptions, configureApp, drain, httpAdapter } from './app.setup';
import { JsonLogger } from './common/logging';
import { ConfigError, loadConfig, redactUrl } from './config/config';
import { prepareDatabase } from './database/prepare-database';
import { assertRedisReachable } from './redis/redis';
import { WorkerModule } from './worker/worker.module';

// V8 lets old space grow to several times what survives a full collection before it collects again. A turn promotes
// ~13 KB of short-lived objects, so old space fills with garbage at a steady rate and RSS follows its limit rather than
// the live set. Collecting once it is a quarter above the live set (~70 MB) keeps RSS near the live set for a full
// (mostly concurrent) collection every few seconds under load: measured, no change in turns/s at c=32, and RSS over the
// bench's soak alone (`--only=g`) +8.6 % instead of +21 % at 100 % and +15.5 % at 50 %. The flag is read each time the
// limit is set, so setting it here works. The young generation's size is fixed when the heap is made: `npm start` and
// the image pass --max-semi-space-size.
setFlagsFromString('--heap-growing-percent=25');

/**
 * One entrypoint, three roles (MNEMO_ROLE): `all` (default: API with an in-process worker), `api`, `worker`.
 * Every role creates the database if needed and applies migrations under a lock before serving.
 */
async function bootstrap(): Promise<void> {
  const started = stopOnSignals();
  const config = loadConfig();
  await prepareDatabase(config.databaseUrl);
  await assertRedisReachable(config.redisUrl);

  if (config.role === 'worker') {
    const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: new JsonLogger(config.logLevel) });
    await worker.init();
    started(worker);
    return;
  }
  const options = appOptions(config);
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), httpAdapter(), options);
  configureApp(app, options.logger);
  await app.listen(config.port, config.host);
  started(app, () => drain(app));
  process.stdout.write(
    JSON.stringify({ level: 30, msg: `Mnemo listening on http://${config.host}:${config.port} (role ${config.role}, database ${redactUrl(config.databaseUrl)})` }) + '\n',
  );
}

/**
 * SIGTERM/SIGINT: stop accepting work (`drain`), let Nest finish the runs in progress and close the server, queues and
 * pool, then exit 0. Listening from the very start: a signal during boot (nothing served yet; a migration in progress
 * rolls back) exits 0 at once. Returns the function that hands over the started application and how it stops taking
 * requests.
 */
function stopOnSignals(): (app: INestApplicationContext, startDraining?: () => void) => void {
  let app: INestApplicationContext | null = null;
  let drainApp: (() => void) | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(JSON.stringify({ level: 30, msg: `${signal} received, shutting down` }) + '\n');
    if (!app) process.exit(0);
    drainApp?.();
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return (started, startDraining) => {
    app = started;
    drainApp = startDraining;
  };
}

bootstrap().catch((error) => {
  const message = error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error);
  process.stderr.write(`Mnemo failed to start: ${message}\n`);
  process.exit(1);
});
