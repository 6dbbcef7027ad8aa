import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { invalidArgument, notFound } from '../common/errors';
import { newId } from '../common/ids';
import { keysetPage } from '../common/pagination';
import { escapeLike } from '../common/sql';
import { BlockEntity } from './block.entity';
import { CreateBlockDto, UpdateBlockDto } from './dto/block.dto';
import { ListBlocksQueryDto } from './dto/list-blocks.dto';
import { MemoryPromptService } from './memory-prompt.service';

export const DEFAULT_BLOCK_LIMIT = 100000;

export function assertWithinLimit(value: string, limit: number): void {
  if (value.length > limit) throw invalidArgument(`Edit failed: Exceeds ${limit} character limit (requested ${value.length})`);
}

@Injectable()
export class BlocksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly memoryPrompt: MemoryPromptService,
  ) {}

  async create(dto: CreateBlockDto, manager: EntityManager = this.dataSource.manager, ownerAgentId: string | null = null): Promise<BlockEntity> {
    const limit = dto.limit ?? DEFAULT_BLOCK_LIMIT;
    assertWithinLimit(dto.value, limit);
    const block = manager.getRepository(BlockEntity).create({
      id: newId('block'),
      label: dto.label,
      value: dto.value,
      limit,
      description: dto.description ?? null,
      metadata: dto.metadata ?? {},
      tags: dto.tags ?? [],
      readOnly: dto.read_only ?? false,
      hidden: dto.hidden ?? null,
      isTemplate: dto.is_template ?? false,
      templateName: dto.template_name ?? null,
      preserveOnMigration: dto.preserve_on_migration ?? false,
      projectId: dto.project_id ?? null,
      ownerAgentId,
    });
    return manager.getRepository(BlockEntity).save(block);
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<BlockEntity> {
    const block = await manager.getRepository(BlockEntity).findOneBy({ id });
    if (!block) throw notFound('Block', id);
    return block;
  }

  /** Applies the edit and recompiles the system prompt of every agent that holds the block, in one transaction. */
  async update(id: string, dto: UpdateBlockDto): Promise<BlockEntity> {
    return this.dataSource.transaction(async (manager) => {
      const block = await manager.getRepository(BlockEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!block) throw notFound('Block', id);
      applyBlockUpdate(block, dto);
      const saved = await manager.getRepository(BlockEntity).save(block);
      await this.memoryPrompt.recompile(await this.memoryPrompt.agentIdsHoldingBlock(id, manager), manager);
      return saved;
    });
  }

  async delete(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.get(id, manager);
      const agentIds = await this.memoryPrompt.agentIdsHoldingBlock(id, manager);
      await manager.getRepository(BlockEntity).delete({ id });
      await this.memoryPrompt.recompile(agentIds, manager);
    });
  }

  async list(query: ListBlocksQueryDto): Promise<BlockEntity[]> {
    const repo = this.dataSource.getRepository(BlockEntity);
    const qb = repo.createQueryBuilder('b');
    if (query.label) qb.andWhere('b.label = :label', { label: query.label });
    if (query.templates_only) qb.andWhere('b.is_template');
    if (query.name) qb.andWhere('b.template_name = :name', { name: query.name });
    if (query.project_id) qb.andWhere('b.project_id = :projectId', { projectId: query.project_id });
    if (query.label_search) qb.andWhere('b.label ILIKE :ls', { ls: `%${escapeLike(query.label_search)}%` });
    if (query.description_search) qb.andWhere('b.description ILIKE :ds', { ds: `%${escapeLike(query.description_search)}%` });
    if (query.value_search) qb.andWhere('b.value ILIKE :vs', { vs: `%${escapeLike(query.value_search)}%` });
    if (query.tags?.length) {
      qb.andWhere(query.match_all_tags ? 'b.tags @> :tagsJson::jsonb' : 'b.tags ?| :tags', { tagsJson: JSON.stringify(query.tags), tags: query.tags });
    }
    const agentCount = '(SELECT count(*) FROM agent_blocks ab WHERE ab.block_id = b.id)';
    if (query.connected_to_agents_count_gt !== undefined) qb.andWhere(`${agentCount} > :gt`, { gt: query.connected_to_agents_count_gt });
    if (query.connected_to_agents_count_lt !== undefined) qb.andWhere(`${agentCount} < :lt`, { lt: query.connected_to_agents_count_lt });
    if (query.connected_to_agents_count_eq?.length) {
      qb.andWhere(new Brackets((w) => w.where(`${agentCount} IN (:...eq)`, { eq: query.connected_to_agents_count_eq })));
    }
    return keysetPage(qb, {
      alias: 'b',
      table: 'blocks',
      sortColumn: 'created_at',
      order: query.order ?? 'asc',
      limit: query.limit ?? 50,
      after: query.after,
      before: query.before,
    });
  }
}

export function applyBlockUpdate(block: BlockEntity, dto: UpdateBlockDto): void {
  if (dto.label !== undefined) block.label = dto.label;
  if (dto.value !== undefined) block.value = dto.value;
  if (dto.limit !== undefined) block.limit = dto.limit;
  if (dto.description !== undefined) block.description = dto.description;
  if (dto.read_only !== undefined) block.readOnly = dto.read_only;
  if (dto.metadata !== undefined) block.metadata = dto.metadata ?? {};
  if (dto.tags !== undefined) block.tags = dto.tags ?? [];
  if (dto.hidden !== undefined) block.hidden = dto.hidden;
  if (dto.is_template !== undefined) block.isTemplate = dto.is_template;
  if (dto.template_name !== undefined) block.templateName = dto.template_name;
  if (dto.preserve_on_migration !== undefined) block.preserveOnMigration = dto.preserve_on_migration;
  if (dto.project_id !== undefined) block.projectId = dto.project_id;
  assertWithinLimit(block.value, block.limit);
}
