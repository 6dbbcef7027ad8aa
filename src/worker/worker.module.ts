import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { coreImports } from '../core-imports';
import { QueueModule } from '../queue/queue.module';
import { QueueWorkersModule } from './run-workers';

/**
 * The worker role: the queue consumers alone (`MNEMO_ROLE=worker`), to scale execution apart from the API. In the
 * default role (`all`) the API process imports the same consumers.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [...coreImports(config), QueueModule, QueueWorkersModule] };
  }
}
