import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Min } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { EmptyToNull, ToBoolean } from '../../common/validation';
import { ListMessagesQueryDto } from '../../messages/dto/list-messages.dto';
import { SendMessageDto } from '../../messages/dto/send-message.dto';
import { RetrieveStreamDto } from '../../runs/runs.controller';

class ConversationFieldsDto {
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString()
  summary?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString()
  description?: string | null;

  @ApiPropertyOptional({ description: 'Model handle this conversation uses instead of the agent’s.' }) @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional({ type: Object }) @IsOptional() @IsObject()
  model_settings?: Record<string, unknown> | null;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1)
  context_window_limit?: number | null;
}

export class CreateConversationDto extends ConversationFieldsDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  hidden?: boolean | null;

  @ApiPropertyOptional({ type: [String], description: 'Per-conversation copies of blocks are not supported yet; only an empty list is accepted.' })
  @IsOptional() @IsArray() @IsString({ each: true })
  isolated_block_labels?: string[] | null;
}

export class UpdateConversationDto extends ConversationFieldsDto {
  @ApiPropertyOptional() @IsOptional() @IsString()
  last_message_at?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  archived?: boolean;
}

export class AgentIdQueryDto {
  @ApiPropertyOptional({ description: 'The agent, required with the conversation id `default`.' })
  @IsOptional() @EmptyToNull() @IsString()
  agent_id?: string | null;
}

export class CreateConversationQueryDto {
  @ApiPropertyOptional({ description: 'The agent the conversation belongs to (required).' })
  @IsString()
  agent_id: string;
}

export class ListConversationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString()
  agent_id?: string | null;

  @ApiPropertyOptional({ description: 'Case-insensitive search in the summary.' }) @IsOptional() @EmptyToNull() @IsString()
  summary_search?: string | null;

  @ApiPropertyOptional({ enum: ['created_at', 'last_message_at', 'last_run_completion'] })
  @IsOptional() @EmptyToNull() @IsIn(['created_at', 'last_message_at', 'last_run_completion'])
  order_by?: string | null;

  @ApiPropertyOptional({ enum: ['unarchived', 'archived', 'all'], default: 'unarchived' })
  @IsOptional() @EmptyToNull() @IsIn(['unarchived', 'archived', 'all'])
  archive_status?: 'unarchived' | 'archived' | 'all' | null;
}

export class ForkConversationQueryDto extends AgentIdQueryDto {
  @ApiPropertyOptional({ description: 'Copy the history up to and including this message.' }) @IsOptional() @EmptyToNull() @IsString()
  message_id?: string | null;

  @ApiPropertyOptional() @IsOptional() @ToBoolean() @IsBoolean()
  hidden?: boolean;
}

export class RecompileQueryDto {
  @ApiPropertyOptional({ default: false }) @IsOptional() @ToBoolean() @IsBoolean()
  dry_run?: boolean;
}

/** ConversationMessageRequest: like the agent route’s body, but streaming by default. */
export class ConversationMessageDto extends SendMessageDto {
  @ApiPropertyOptional({ description: 'The agent, required with the conversation id `default`.' }) @IsOptional() @IsString()
  agent_id?: string | null;
}

export class ListConversationMessagesQueryDto extends IntersectionType(ListMessagesQueryDto, AgentIdQueryDto) {}

export class ConversationStreamDto extends RetrieveStreamDto {
  @ApiPropertyOptional({ description: 'Resume this run.' }) @IsOptional() @IsString()
  run_id?: string | null;

  @ApiPropertyOptional({ description: 'Resume the run that received the input message with this otid.' }) @IsOptional() @IsString()
  otid?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  agent_id?: string | null;
}

export class ConversationBodyDto {
  @ApiPropertyOptional() @IsOptional() @IsString()
  agent_id?: string | null;
}
