import { Injectable } from '@nestjs/common';
import type { Result } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { conflict } from '../common/errors';
import { RedisService } from '../redis/redis.module';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    releaseLease(key: string, holder: string): Result<number, Context>;
    renewLease(key: string, holder: string, ms: number): Result<number, Context>;
  }
}

const LEASE_MS = 60_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * One writer per context (an agent's default context or a conversation) at a time: a turn and a compaction never run
 * at once. A Redis lease renewed while its holder lives, so a crashed holder frees the context within a minute. A
 * holder is named (a run id), so a dead holder's lease can be freed without touching a later one's.
 */
@Injectable()
export class ContextLockService {
  constructor(private readonly redis: RedisService) {
    // Defined commands run as EVALSHA: Redis looks the script up by its hash instead of hashing its text every call.
    redis.client.defineCommand('releaseLease', { numberOfKeys: 1, lua: RELEASE });
    redis.client.defineCommand('renewLease', { numberOfKeys: 1, lua: RENEW });
  }

  private key(agentId: string, conversationId: string | null): string {
    return `${this.redis.prefix}:context-lock:${conversationId ?? agentId}`;
  }

  /** Takes the context for `holder` if it is free; the caller then owes `holdWhile` or `release`. */
  async tryAcquire(agentId: string, conversationId: string | null, holder: string): Promise<boolean> {
    return (await this.redis.client.set(this.key(agentId, conversationId), holder, 'PX', LEASE_MS, 'NX')) === 'OK';
  }

  /** Runs `work` holding the context; waits up to `waitMs` for it, then answers 409. */
  async withLock<T>(agentId: string, conversationId: string | null, waitMs: number, work: () => Promise<T>, holder: string = randomUUID()): Promise<T> {
    const deadline = Date.now() + waitMs;
    while (!(await this.tryAcquire(agentId, conversationId, holder))) {
      if (Date.now() >= deadline) throw conflict('The context is busy (a turn or a compaction is running); try again shortly');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.holdWhile(agentId, conversationId, holder, work);
  }

  /**
   * Keeps an acquired context while `work` runs, then releases it. The release is sent, not awaited: this process's
   * next `tryAcquire` travels on the same Redis connection after it, so it already finds the context free; another
   * process that asks in between waits for it, as for any held context.
   */
  async holdWhile<T>(agentId: string, conversationId: string | null, holder: string, work: () => Promise<T>): Promise<T> {
    const key = this.key(agentId, conversationId);
    const renew = setInterval(() => void this.redis.client.renewLease(key, holder, LEASE_MS).catch(() => undefined), LEASE_MS / 3);
    try {
      return await work();
    } finally {
      clearInterval(renew);
      this.release(agentId, conversationId, holder).catch(() => undefined);
    }
  }

  /** Frees the context if `holder` still holds it (also a dead holder's, whose run another worker is failing). */
  async release(agentId: string, conversationId: string | null, holder: string): Promise<void> {
    await this.redis.client.releaseLease(this.key(agentId, conversationId), holder);
  }
}
