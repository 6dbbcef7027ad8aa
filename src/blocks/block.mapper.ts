import type { BlockResponseDto } from './dto/block.dto';
import type { BlockEntity } from './block.entity';

export function toBlockResponse(block: BlockEntity): BlockResponseDto {
  return {
    id: block.id,
    label: block.label,
    value: block.value,
    limit: block.limit,
    description: block.description,
    read_only: block.readOnly,
    metadata: block.metadata ?? {},
    tags: block.tags ?? [],
    hidden: block.hidden,
    is_template: block.isTemplate,
    template_name: block.templateName,
    preserve_on_migration: block.preserveOnMigration,
    project_id: block.projectId,
    template_id: null,
    base_template_id: null,
    deployment_id: null,
    entity_id: null,
    created_by_id: null,
    last_updated_by_id: null,
    created_at: block.createdAt.toISOString(),
    updated_at: block.updatedAt.toISOString(),
  };
}
