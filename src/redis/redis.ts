import Redis from 'ioredis';
import { ConfigError, redactUrl } from '../config/config';

/** Fails the boot with a message naming REDIS_URL when Redis cannot be reached. */
export async function assertRedisReachable(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new ConfigError(`REDIS_URL: cannot connect to Redis at ${redactUrl(url)} (${(error as Error).message})`);
  } finally {
    client.disconnect();
  }
}
