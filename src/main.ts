import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ApiModule } from './app.module';
import { configureApp, NEST_APP_OPTIONS } from './app.setup';
import { ConfigError, loadConfig, redactUrl } from './config/config';
import { prepareDatabase } from './database/prepare-database';
import { assertRedisReachable } from './redis/redis';
import { WorkerModule } from './worker/worker.module';

/**
 * One entrypoint, three roles (MNEMO_ROLE): `all` (default: API with an in-process worker), `api`, `worker`.
 * Every role creates the database if needed and applies migrations under a lock before serving.
 */
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  await prepareDatabase(config.databaseUrl);
  await assertRedisReachable(config.redisUrl);

  if (config.role === 'worker') {
    const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
    worker.enableShutdownHooks();
    await worker.init();
    return;
  }
  const app = await NestFactory.create(ApiModule.forRoot(config), NEST_APP_OPTIONS);
  configureApp(app);
  await app.listen(config.port, config.host);
  process.stdout.write(
    JSON.stringify({ level: 30, msg: `Mnemo listening on http://${config.host}:${config.port} (role ${config.role}, database ${redactUrl(config.databaseUrl)})` }) + '\n',
  );
}

bootstrap().catch((error) => {
  const message = error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error);
  process.stderr.write(`Mnemo failed to start: ${message}\n`);
  process.exit(1);
});
