import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { IdPipe } from '../common/id.pipe';
import { PageQueryDto } from '../common/pagination';
import { EmptyToNull, ToArray, ToBoolean } from '../common/validation';
import { toStepResponse } from '../steps/steps.controller';
import { toRunResponse } from './run.mapper';
import { RunsService } from './runs.service';
import { SendService } from './send.service';

export class ListRunsQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString() agent_id?: string | null;
  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString() conversation_id?: string | null;
  @ApiPropertyOptional({ type: [String], enum: ['created', 'running', 'completed', 'failed', 'cancelled'] })
  @IsOptional() @ToArray() @IsIn(['created', 'running', 'completed', 'failed', 'cancelled'], { each: true })
  statuses?: string[];
  @ApiPropertyOptional() @IsOptional() @ToBoolean() @IsBoolean() background?: boolean;
  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString() stop_reason?: string | null;
  @ApiPropertyOptional({ description: 'Only created or running runs.' }) @IsOptional() @ToBoolean() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ type: [String], description: 'Deprecated: use agent_id.' }) @IsOptional() @ToArray() @IsString({ each: true }) agent_ids?: string[];
  @ApiPropertyOptional({ description: 'Deprecated: use order.' }) @IsOptional() @ToBoolean() @IsBoolean() ascending?: boolean;
}

/** RetrieveStreamRequest: where to resume a run's stream from. */
export class RetrieveStreamDto {
  @ApiPropertyOptional({ default: 0, description: 'Replay frames whose seq_id is greater than this; 0 replays from the start.' })
  @IsOptional() @IsInt() @Min(0)
  starting_after?: number;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean()
  include_pings?: boolean | null;

  @ApiPropertyOptional({ default: 0.1, description: 'Accepted for compatibility: Mnemo pushes new frames as they are written.' })
  @IsOptional() @IsNumber()
  poll_interval?: number | null;

  @ApiPropertyOptional({ default: 100 }) @IsOptional() @IsInt() @Min(1) @Max(10000)
  batch_size?: number | null;
}

export const RunIdPipe = new IdPipe('run');

@ApiTags('runs')
@Controller('v1/runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly sender: SendService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List runs (newest first by default)' })
  async list(@Query() query: ListRunsQueryDto) {
    const order = query.order ?? (query.ascending === undefined ? undefined : query.ascending ? 'asc' : 'desc');
    const runs = await this.runs.list({ ...query, order, agent_id: query.agent_id ?? query.agent_ids?.[0] });
    return runs.map(toRunResponse);
  }

  @Get(':run_id')
  @ApiOperation({ summary: 'Retrieve a run: status, stop reason, timings' })
  async retrieve(@Param('run_id', RunIdPipe) id: string) {
    return toRunResponse(await this.runs.get(id));
  }

  @Get(':run_id/messages')
  @ApiOperation({ summary: 'List the messages of a run (oldest first by default)' })
  messages(@Param('run_id', RunIdPipe) id: string, @Query() page: PageQueryDto) {
    return this.runs.messages(id, page);
  }

  @Get(':run_id/steps')
  @ApiOperation({ summary: 'List the steps of a run (newest first by default)' })
  async steps(@Param('run_id', RunIdPipe) id: string, @Query() page: PageQueryDto) {
    return (await this.runs.steps(id, page)).map(toStepResponse);
  }

  @Get(':run_id/usage')
  @ApiOperation({ summary: 'Token usage of a run, summed over its steps' })
  usage(@Param('run_id', RunIdPipe) id: string) {
    return this.runs.usage(id);
  }

  @Post(':run_id/stream')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume the SSE stream of a background run from any seq_id, then follow it live' })
  async stream(
    @Param('run_id', RunIdPipe) id: string,
    @Body() body: RetrieveStreamDto,
    @Res() res: FastifyReply,
    @Headers('last-event-id') lastEventId?: string,
  ): Promise<void> {
    const run = await this.sender.resumable(id);
    const startingAfter = body.starting_after ?? (lastEventId && /^\d+$/.test(lastEventId) ? Number(lastEventId) : 0);
    await this.sender.stream(run, res, { includePings: body.include_pings ?? true, startingAfter, batchSize: body.batch_size ?? 100 });
  }
}
