import 'reflect-metadata';
import Redis from 'ioredis';
import { recreateDatabase } from './database';
import { TEST_DATABASE_URL, TEST_QUEUE_PREFIX, TEST_REDIS_URL } from './test-env';

/** Recreates the test database from the migrations once per jest run, so every run starts from the real schema. */
export default async function globalSetup(): Promise<void> {
  if ((globalThis as { __mnemoDbReady?: boolean }).__mnemoDbReady) return;
  await recreateDatabase(TEST_DATABASE_URL);
  await clearRedis();
  (globalThis as { __mnemoDbReady?: boolean }).__mnemoDbReady = true;
}

/** Drops the queues and run streams an earlier, interrupted run may have left under the test prefix. */
async function clearRedis(): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${TEST_QUEUE_PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
