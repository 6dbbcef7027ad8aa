import { Controller, Get, Logger, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { EmptyToNull, ToArray } from '../common/validation';
import { LlmProvider } from './llm.types';
import { ProvidersService } from './providers.service';

export class ModelDto {
  @ApiProperty({ example: 'openai/gpt-4o-mini', description: 'What clients pass as `model`.' }) handle: string;
  @ApiProperty() name: string;
  @ApiProperty() display_name: string;
  @ApiProperty() model: string;
  @ApiProperty({ example: 'llm' }) model_type: string;
  @ApiProperty() provider_type: string;
  @ApiProperty() provider_name: string;
  @ApiProperty() provider_category: string;
  @ApiProperty() model_endpoint_type: string;
  @ApiProperty() model_endpoint: string;
  @ApiProperty() context_window: number;
  @ApiProperty() max_context_window: number;
}

export class EmbeddingModelDto {
  @ApiProperty() handle: string;
  @ApiProperty() name: string;
  @ApiProperty() display_name: string;
  @ApiProperty({ example: 'embedding' }) model_type: string;
  @ApiProperty() provider_name: string;
  @ApiProperty() provider_type: string;
  @ApiProperty() embedding_endpoint_type: string;
  @ApiProperty() embedding_endpoint: string;
  @ApiProperty() embedding_model: string;
  @ApiProperty() embedding_dim: number;
  @ApiProperty() embedding_chunk_size: number;
}

export class ListModelsQueryDto {
  @ApiPropertyOptional({ type: [String], description: '`base` (configured from the environment) or `byok`.' })
  @IsOptional() @ToArray() @IsString({ each: true })
  provider_category?: string[];

  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString()
  provider_name?: string | null;

  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString()
  provider_type?: string | null;
}

@ApiTags('models')
@Controller('v1/models')
export class ModelsController {
  private readonly logger = new Logger(ModelsController.name);

  constructor(private readonly providers: ProvidersService) {}

  @Get()
  @ApiOperation({ summary: 'List the chat models the configured providers serve' })
  @ApiOkResponse({ type: [ModelDto] })
  async list(@Query() query: ListModelsQueryDto): Promise<ModelDto[]> {
    if (query.provider_category?.length && !query.provider_category.includes('base')) return [];
    const lists = await Promise.all(
      this.selected(query).map(async (provider) =>
        (await this.readable(() => this.providers.models(provider), provider)).map((m) => ({
          handle: `${provider.name}/${m.name}`,
          name: m.name,
          display_name: m.name,
          model: m.name,
          model_type: 'llm',
          provider_type: provider.type,
          provider_name: provider.name,
          provider_category: 'base',
          model_endpoint_type: provider.type,
          model_endpoint: provider.baseUrl,
          context_window: m.contextWindow,
          max_context_window: m.contextWindow,
        })),
      ),
    );
    return lists.flat();
  }

  @Get('embedding')
  @ApiOperation({ summary: 'List the embedding models the configured providers serve' })
  @ApiOkResponse({ type: [EmbeddingModelDto] })
  async embeddings(): Promise<EmbeddingModelDto[]> {
    const lists = await Promise.all(
      this.providers.list().map(async (provider) =>
        (await this.readable(() => this.providers.embeddingModels(provider), provider)).map((m) => ({
          handle: `${provider.name}/${m.name}`,
          name: m.name,
          display_name: m.name,
          model_type: 'embedding',
          provider_name: provider.name,
          provider_type: provider.type,
          embedding_endpoint_type: provider.type,
          embedding_endpoint: provider.baseUrl,
          embedding_model: m.name,
          embedding_dim: m.dim,
          embedding_chunk_size: 300,
        })),
      ),
    );
    return lists.flat();
  }

  private selected(query: ListModelsQueryDto): LlmProvider[] {
    return this.providers
      .list()
      .filter((p) => (!query.provider_name || p.name === query.provider_name) && (!query.provider_type || p.type === query.provider_type));
  }

  /** One unreachable provider must not hide the others' models. */
  private async readable<T>(load: () => Promise<T[]>, provider: LlmProvider): Promise<T[]> {
    try {
      return await load();
    } catch (error) {
      this.logger.warn({ provider: provider.name, err: (error as Error).message }, 'could not list models');
      return [];
    }
  }
}
