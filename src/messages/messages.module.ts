import { Module } from '@nestjs/common';
import { AgentLoopModule } from '../agent-loop/agent-loop.module';
import { AgentsModule } from '../agents/agents.module';
import { BlocksModule } from '../blocks/blocks.module';
import { RunsModule } from '../runs/runs.module';
import { ContextWindowService } from './context-window.service';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';

@Module({
  imports: [AgentLoopModule, AgentsModule, BlocksModule, RunsModule],
  controllers: [MessagesController],
  providers: [MessagesService, ContextWindowService],
  exports: [MessagesService],
})
export class MessagesModule {}
