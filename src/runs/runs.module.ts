import { Module } from '@nestjs/common';
import { AgentLoopModule } from '../agent-loop/agent-loop.module';
import { CompactionRunner } from '../compaction/compaction-runner.service';
import { CompactionHolds } from '../compaction/compaction-holds.service';
import { LlmModule } from '../llm/llm.module';
import { RunCancellationService } from './run-cancellation.service';
import { RunEventsService } from './run-events.service';
import { RunExecutor } from './run-executor.service';
import { RunsController } from './runs.controller';
import { RunsService } from './runs.service';
import { SendService } from './send.service';

@Module({
  imports: [AgentLoopModule, LlmModule],
  controllers: [RunsController],
  providers: [RunsService, RunEventsService, RunCancellationService, RunExecutor, SendService, CompactionHolds, CompactionRunner],
  exports: [RunsService, RunEventsService, RunExecutor, SendService, CompactionHolds, CompactionRunner],
})
export class RunsModule {}
