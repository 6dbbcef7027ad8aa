import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { AgentTagEntity } from '../agents/agent-tag.entity';
import { AgentEntity } from '../agents/agent.entity';
import { AgentBlockEntity } from '../blocks/agent-block.entity';
import { BlockEntity } from '../blocks/block.entity';
import { MessageEntity } from '../messages/message.entity';
import { AgentToolEntity } from '../tools/agent-tool.entity';
import { ConversationEntity } from '../conversations/conversation.entity';
import { RunEntity } from '../runs/run.entity';
import { StepEntity } from '../steps/step.entity';
import { ToolEntity } from '../tools/tool.entity';

export const ENTITIES = [AgentEntity, AgentTagEntity, BlockEntity, AgentBlockEntity, ToolEntity, AgentToolEntity, MessageEntity, StepEntity, RunEntity, ConversationEntity];

export function dataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // A fixed-size pool: idle connections stay open, so a burst after a quiet spell does not pay for reconnecting.
    extra: { max: poolSize, idleTimeoutMillis: 0 },
  };
}
