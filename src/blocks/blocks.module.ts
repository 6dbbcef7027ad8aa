import { Module } from '@nestjs/common';
import { BlocksController } from './blocks.controller';
import { BlocksService } from './blocks.service';
import { MemoryPromptService } from './memory-prompt.service';

@Module({
  controllers: [BlocksController],
  providers: [BlocksService, MemoryPromptService],
  exports: [BlocksService, MemoryPromptService],
})
export class BlocksModule {}
