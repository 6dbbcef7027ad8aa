import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { conflict } from '../common/errors';
import { RedisService } from '../redis/redis.module';

const LEASE_MS = 60_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * One writer per context (an agent's default context or a conversation) at a time: a turn and a compaction never run
 * at once. A Redis lease renewed while its holder lives, so a crashed holder frees the context within a minute.
 */
@Injectable()
export class ContextLockService {
  constructor(private readonly redis: RedisService) {}

  private key(agentId: string, conversationId: string | null): string {
    return `${this.redis.prefix}:context-lock:${conversationId ?? agentId}`;
  }

  /** Runs `work` holding the context; waits up to `waitMs` for it, then answers 409. */
  async withLock<T>(agentId: string, conversationId: string | null, waitMs: number, work: () => Promise<T>): Promise<T> {
    const key = this.key(agentId, conversationId);
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    while ((await this.redis.client.set(key, token, 'PX', LEASE_MS, 'NX')) !== 'OK') {
      if (Date.now() >= deadline) throw conflict('The context is busy (a turn or a compaction is running); try again shortly');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const renew = setInterval(() => void this.redis.client.eval(RENEW, 1, key, token, LEASE_MS).catch(() => undefined), LEASE_MS / 3);
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.redis.client.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }

  /** Frees a context whose holder died (its run is being failed by another worker). */
  async forceRelease(agentId: string, conversationId: string | null): Promise<void> {
    await this.redis.client.del(this.key(agentId, conversationId));
  }
}
