import { Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module';
import { LlmModule } from '../llm/llm.module';
import { MessagesModule } from '../messages/messages.module';
import { RunsModule } from '../runs/runs.module';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';

@Module({
  imports: [BlocksModule, LlmModule, MessagesModule, RunsModule],
  controllers: [ConversationsController],
  providers: [ConversationsService],
  exports: [ConversationsService],
})
export class ConversationsModule {}
