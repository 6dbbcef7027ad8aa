import { BY_SEQ } from '../messages/in-context';
import { Controller, Get, Injectable, Module, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsBoolean, IsDateString, IsIn, IsOptional, IsString } from 'class-validator';
import { DataSource } from 'typeorm';
import { notFound } from '../common/errors';
import { IdPipe } from '../common/id.pipe';
import { keysetPage, PageQueryDto } from '../common/pagination';
import { EmptyToNull, ToArray, ToBoolean } from '../common/validation';
import { LettaMessage, toLettaMessages } from '../messages/letta-message';
import { MessageEntity } from '../messages/message.entity';
import { StepEntity } from './step.entity';

export class ListStepsQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString() agent_id?: string | null;
  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString() run_id?: string | null;
  @ApiPropertyOptional({ description: 'Model name, without provider.' }) @IsOptional() @EmptyToNull() @IsString() model?: string | null;
  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsDateString() start_date?: string | null;
  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsDateString() end_date?: string | null;
  @ApiPropertyOptional({ enum: ['positive', 'negative'] }) @IsOptional() @EmptyToNull() @IsIn(['positive', 'negative']) feedback?: 'positive' | 'negative' | null;
  @ApiPropertyOptional() @IsOptional() @ToBoolean() @IsBoolean() has_feedback?: boolean;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @ToArray() @IsString({ each: true }) tags?: string[];
}

export function toStepResponse(s: StepEntity) {
  return {
    id: s.id,
    agent_id: s.agentId,
    run_id: s.runId,
    provider_name: s.providerName,
    provider_category: s.providerCategory,
    model: s.model,
    model_handle: s.modelHandle,
    model_endpoint: s.modelEndpoint,
    context_window_limit: s.contextWindowLimit,
    prompt_tokens: s.promptTokens,
    completion_tokens: s.completionTokens,
    total_tokens: s.totalTokens,
    cached_input_tokens: s.cachedInputTokens,
    cache_write_tokens: s.cacheWriteTokens,
    reasoning_tokens: s.reasoningTokens,
    stop_reason: s.stopReason,
    status: s.status,
    error_type: s.errorType,
    error_data: s.errorData,
    feedback: s.feedback,
    tags: s.tags ?? [],
    messages: [],
    trace_id: null,
    project_id: null,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

export const StepIdPipe = new IdPipe('step');

@Injectable()
export class StepsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(query: ListStepsQueryDto): Promise<StepEntity[]> {
    const qb = this.dataSource.getRepository(StepEntity).createQueryBuilder('s');
    if (query.agent_id) qb.andWhere('s.agent_id = :agentId', { agentId: query.agent_id });
    if (query.run_id) qb.andWhere('s.run_id = :runId', { runId: query.run_id });
    if (query.model) qb.andWhere('s.model = :model', { model: query.model });
    if (query.start_date) qb.andWhere('s.created_at >= :start', { start: query.start_date });
    if (query.end_date) qb.andWhere('s.created_at <= :end', { end: query.end_date });
    if (query.feedback) qb.andWhere('s.feedback = :feedback', { feedback: query.feedback });
    if (query.has_feedback !== undefined) qb.andWhere(query.has_feedback ? 's.feedback IS NOT NULL' : 's.feedback IS NULL');
    if (query.tags?.length) qb.andWhere('s.tags ?| :tags', { tags: query.tags });
    return keysetPage(qb, { alias: 's', table: 'steps', sortColumn: 'created_at', order: query.order ?? 'desc', limit: query.limit ?? 50, after: query.after, before: query.before });
  }

  async get(id: string): Promise<StepEntity> {
    const step = await this.dataSource.getRepository(StepEntity).findOneBy({ id });
    if (!step) throw notFound('Step', id);
    return step;
  }

  async messages(id: string, page: PageQueryDto): Promise<LettaMessage[]> {
    await this.get(id);
    const qb = this.dataSource.getRepository(MessageEntity).createQueryBuilder('m').where('m.step_id = :id', { id });
    const rows = await keysetPage(qb, { ...BY_SEQ, order: page.order ?? 'asc', limit: page.limit ?? 100, after: page.after, before: page.before });
    return rows.flatMap((m) => toLettaMessages(m));
  }
}

@ApiTags('steps')
@Controller('v1/steps')
export class StepsController {
  constructor(private readonly steps: StepsService) {}

  @Get()
  @ApiOperation({ summary: 'List steps (model calls), newest first by default' })
  async list(@Query() query: ListStepsQueryDto) {
    return (await this.steps.list(query)).map(toStepResponse);
  }

  @Get(':step_id')
  @ApiOperation({ summary: 'Retrieve a step with its usage and outcome' })
  async retrieve(@Param('step_id', StepIdPipe) id: string) {
    return toStepResponse(await this.steps.get(id));
  }

  @Get(':step_id/messages')
  @ApiOperation({ summary: 'List the messages a step produced' })
  messages(@Param('step_id', StepIdPipe) id: string, @Query() page: PageQueryDto): Promise<LettaMessage[]> {
    return this.steps.messages(id, page);
  }
}

@Module({ controllers: [StepsController], providers: [StepsService], exports: [StepsService] })
export class StepsModule {}
