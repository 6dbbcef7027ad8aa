import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString, ValidateNested } from 'class-validator';
import { CreateBlockDto } from '../../blocks/dto/block.dto';
import { IsMessageContent, IsStringArray } from '../../common/validators';
import { AGENT_TYPES, AgentFieldsDto } from './agent-fields.dto';

export class InitialMessageDto {
  @ApiPropertyOptional({ enum: ['user', 'system', 'assistant'] })
  @IsIn(['user', 'system', 'assistant'])
  role: 'user' | 'system' | 'assistant';

  @ApiPropertyOptional({ description: 'Text, or a list of content parts.' })
  @IsMessageContent()
  content: string | { type: string; text?: string }[];

  @ApiPropertyOptional() @IsOptional() @IsString()
  name?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  otid?: string | null;
}

export class CreateAgentDto extends AgentFieldsDto {
  @ApiPropertyOptional({ enum: AGENT_TYPES, default: 'letta_v1_agent' })
  @IsOptional() @IsIn(AGENT_TYPES as unknown as string[])
  agent_type?: (typeof AGENT_TYPES)[number];

  @ApiPropertyOptional({ type: [CreateBlockDto], description: 'Memory blocks to create and attach.' })
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => CreateBlockDto)
  memory_blocks?: CreateBlockDto[];

  @ApiPropertyOptional({ type: [String], description: 'Names of existing tools to attach.' })
  @IsOptional() @IsStringArray()
  tools?: string[];

  @ApiPropertyOptional({ default: true, description: 'Attach the default tools of the agent type.' })
  @IsOptional() @IsBoolean()
  include_base_tools?: boolean;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean()
  include_multi_agent_tools?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  include_base_tool_rules?: boolean | null;

  @ApiPropertyOptional({ type: [InitialMessageDto], description: 'Messages placed in the context right after the system message.' })
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => InitialMessageDto)
  initial_message_sequence?: InitialMessageDto[] | null;
}
