import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { AgentsModule } from './agents/agents.module';
import { BlocksModule } from './blocks/blocks.module';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source-options';
import { HealthController } from './health/health.controller';
import { LlmModule } from './llm/llm.module';
import { MessagesModule } from './messages/messages.module';
import { StepsModule } from './steps/steps.controller';
import { TagsModule } from './tags/tags.module';
import { ToolsModule } from './tools/tools.module';
import { QueueModule } from './worker/worker.module';

/** What every role shares: configuration, logging and the database. */
export function coreImports(config: AppConfig) {
  return [
    ConfigModule.forRoot(config),
    LoggerModule.forRoot({
      pinoHttp: {
        level: config.logLevel,
        genReqId: (req, res) => {
          const id = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
          res.setHeader('x-request-id', id);
          return id;
        },
        redact: ['req.headers.authorization', 'req.headers["x-bare-password"]'],
        customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      },
    }),
    TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl, config.databasePoolSize), autoLoadEntities: false }),
  ];
}

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [...coreImports(config), QueueModule.forRoot(config), LlmModule, AgentsModule, BlocksModule, ToolsModule, TagsModule, MessagesModule, StepsModule],
      controllers: [HealthController],
    };
  }
}
