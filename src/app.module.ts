import { DynamicModule, Module } from '@nestjs/common';
import { AgentsModule } from './agents/agents.module';
import { BlocksModule } from './blocks/blocks.module';
import { AppConfig } from './config/config';
import { HealthController } from './health/health.controller';
import { LlmModule } from './llm/llm.module';
import { MessagesModule } from './messages/messages.module';
import { StepsModule } from './steps/steps.controller';
import { TagsModule } from './tags/tags.module';
import { ToolsModule } from './tools/tools.module';
import { ConversationsModule } from './conversations/conversations.module';
import { RunsModule } from './runs/runs.module';
import { QueueWorkersModule } from './worker/run-workers';
import { QueueModule } from './queue/queue.module';
import { coreImports } from './core-imports';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ...coreImports(config),
        QueueModule,
        LlmModule,
        AgentsModule,
        BlocksModule,
        ToolsModule,
        TagsModule,
        MessagesModule,
        StepsModule,
        RunsModule,
        ConversationsModule,
        ...(config.role === 'all' ? [QueueWorkersModule] : []),
      ],
      controllers: [HealthController],
    };
  }
}
