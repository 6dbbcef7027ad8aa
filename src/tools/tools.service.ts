import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { invalidArgument, notFound } from '../common/errors';
import { newId } from '../common/ids';
import { keysetPage } from '../common/pagination';
import { escapeLike } from '../common/sql';
import { BUILTIN_TOOLS } from './base-tools';
import { ListToolsQueryDto } from './dto/tool.dto';
import { ToolEntity } from './tool.entity';

@Injectable()
export class ToolsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ToolsService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.upsertBuiltinTools();
  }

  /** Creates or refreshes the built-in tool rows; safe to run from every replica at once. */
  async upsertBuiltinTools(): Promise<ToolEntity[]> {
    const repo = this.dataSource.getRepository(ToolEntity);
    const rows = BUILTIN_TOOLS.map((t) => ({
      id: newId('tool'),
      name: t.name,
      toolType: t.toolType,
      description: t.description,
      sourceType: 'python',
      jsonSchema: { name: t.name, description: t.description, parameters: t.parameters },
      tags: ['letta_core'],
    }));
    await repo
      .createQueryBuilder()
      .insert()
      .into(ToolEntity)
      .values(rows)
      .orUpdate(['tool_type', 'description', 'json_schema', 'tags'], ['name'])
      .execute();
    const tools = await repo.findBy({ name: In(BUILTIN_TOOLS.map((t) => t.name)) });
    this.logger.debug(`built-in tools ready: ${tools.length}`);
    return tools;
  }

  async get(id: string): Promise<ToolEntity> {
    const tool = await this.dataSource.getRepository(ToolEntity).findOneBy({ id });
    if (!tool) throw notFound('Tool', id);
    return tool;
  }

  /** Resolves tool names and ids to rows; any unknown one fails the whole request. */
  async resolve(names: string[], ids: string[], manager: EntityManager = this.dataSource.manager): Promise<ToolEntity[]> {
    const repo = manager.getRepository(ToolEntity);
    const byName = names.length ? await repo.findBy({ name: In(names) }) : [];
    const missingNames = names.filter((n) => !byName.some((t) => t.name === n));
    if (missingNames.length) throw invalidArgument(`Tools not found by name: {${missingNames.map((n) => `'${n}'`).join(', ')}}`);
    const byId = ids.length ? await repo.findBy({ id: In(ids) }) : [];
    const missingIds = ids.filter((id) => !byId.some((t) => t.id === id));
    if (missingIds.length) throw notFound('Tool', missingIds.join(', '));
    const unique = new Map([...byName, ...byId].map((t) => [t.id, t]));
    return [...unique.values()];
  }

  async list(query: ListToolsQueryDto): Promise<ToolEntity[]> {
    const qb = this.dataSource.getRepository(ToolEntity).createQueryBuilder('t');
    if (query.name) qb.andWhere('t.name = :name', { name: query.name });
    if (query.names?.length) qb.andWhere('t.name IN (:...names)', { names: query.names });
    if (query.tool_ids?.length) qb.andWhere('t.id IN (:...ids)', { ids: query.tool_ids });
    if (query.search) qb.andWhere('t.name ILIKE :search', { search: `%${escapeLike(query.search)}%` });
    if (query.tool_types?.length) qb.andWhere('t.tool_type IN (:...types)', { types: query.tool_types });
    if (query.exclude_tool_types?.length) qb.andWhere('t.tool_type NOT IN (:...excluded)', { excluded: query.exclude_tool_types });
    return keysetPage(qb, {
      alias: 't',
      table: 'tools',
      sortColumn: 'created_at',
      order: query.order ?? 'desc',
      limit: query.limit ?? 50,
      after: query.after,
      before: query.before,
    });
  }
}
