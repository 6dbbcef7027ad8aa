import { Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module';
import { LlmModule } from '../llm/llm.module';
import { ToolsModule } from '../tools/tools.module';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { BlockAgentsController, CoreMemoryController } from './core-memory.controller';
import { CoreMemoryService } from './core-memory.service';

@Module({
  imports: [BlocksModule, ToolsModule, LlmModule],
  controllers: [AgentsController, CoreMemoryController, BlockAgentsController],
  providers: [AgentsService, CoreMemoryService],
  exports: [AgentsService],
})
export class AgentsModule {}
