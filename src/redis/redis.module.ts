import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';

/**
 * The process's Redis connections: `client` for commands, `subscriber` for pub/sub (a subscribed connection can run
 * nothing else). BullMQ opens its own connections from `bullConnection`.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;
  readonly subscriber: Redis;
  /** Prefix of every key and channel Mnemo writes, shared with the queues. */
  readonly prefix: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // Auto-pipelining sends the commands of one tick in one write: fewer syscalls under load, same semantics.
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
    this.subscriber = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    this.prefix = config.queuePrefix;
  }

  get bullConnection(): { url: string; maxRetriesPerRequest: null } {
    return { url: this.config.redisUrl, maxRetriesPerRequest: null };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.client.quit(), this.subscriber.quit()]);
  }
}

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
