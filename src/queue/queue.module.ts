import { Global, Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module';
import { QueuesService } from './queues.service';

/** Redis and the producer side of the queues, for every role. */
@Global()
@Module({ imports: [RedisModule], providers: [QueuesService], exports: [QueuesService, RedisModule] })
export class QueueModule {}
