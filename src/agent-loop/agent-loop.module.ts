import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { BlocksModule } from '../blocks/blocks.module';
import { LlmModule } from '../llm/llm.module';
import { AgentLoopService } from './agent-loop.service';
import { TurnStore } from './turn-store.service';
import { CompactionService } from '../compaction/compaction.service';

@Module({ imports: [AgentsModule, BlocksModule, LlmModule], providers: [AgentLoopService, TurnStore, CompactionService], exports: [AgentLoopService, TurnStore, CompactionService] })
export class AgentLoopModule {}
