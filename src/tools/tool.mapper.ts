import type { ToolResponseDto } from './dto/tool.dto';
import type { ToolEntity } from './tool.entity';

export function toToolResponse(tool: ToolEntity): ToolResponseDto {
  return {
    id: tool.id,
    name: tool.name,
    description: tool.description,
    tool_type: tool.toolType,
    source_type: tool.sourceType,
    source_code: tool.sourceCode,
    json_schema: tool.jsonSchema,
    args_json_schema: tool.argsJsonSchema,
    tags: tool.tags ?? [],
    return_char_limit: tool.returnCharLimit,
    pip_requirements: tool.pipRequirements,
    npm_requirements: tool.npmRequirements,
    default_requires_approval: tool.defaultRequiresApproval,
    enable_parallel_execution: tool.enableParallelExecution,
    metadata_: tool.metadata,
    project_id: tool.projectId,
    created_by_id: null,
    last_updated_by_id: null,
  };
}
