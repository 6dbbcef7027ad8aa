import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { coreImports } from '../app.module';
import { AppConfig } from '../config/config';

/**
 * The queue side of Mnemo. Its processors run in the API process for the one-command default (`MNEMO_ROLE=all`)
 * or alone (`MNEMO_ROLE=worker`) to scale out.
 */
@Module({})
export class QueueModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRoot({
          prefix: config.queuePrefix,
          connection: { url: config.redisUrl, maxRetriesPerRequest: null },
        }),
      ],
      exports: [BullModule],
    };
  }
}

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [...coreImports(config), QueueModule.forRoot(config)] };
  }
}
