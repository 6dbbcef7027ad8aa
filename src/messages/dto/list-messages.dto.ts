import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { EmptyToNull, ToArray, ToBoolean } from '../../common/validation';
import { MESSAGE_TYPES, MessageType } from '../letta-message';

export class ListMessagesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: '`default` (or absent) for the agent’s own history.' })
  @IsOptional() @EmptyToNull() @IsString()
  conversation_id?: string | null;

  @ApiPropertyOptional({ description: 'Include messages marked as errors (default true).' })
  @IsOptional() @ToBoolean() @IsBoolean()
  include_err?: boolean | null;

  @ApiPropertyOptional({ enum: MESSAGE_TYPES, isArray: true })
  @IsOptional() @ToArray() @IsIn(MESSAGE_TYPES as unknown as string[], { each: true })
  include_return_message_types?: MessageType[];

  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString()
  group_id?: string | null;

  @ApiPropertyOptional({ description: 'Deprecated; ignored.' }) @IsOptional() @ToBoolean() @IsBoolean()
  use_assistant_message?: boolean;

  @ApiPropertyOptional({ description: 'Deprecated; ignored.' }) @IsOptional() @IsString()
  assistant_message_tool_name?: string;

  @ApiPropertyOptional({ description: 'Deprecated; ignored.' }) @IsOptional() @IsString()
  assistant_message_tool_kwarg?: string;
}

export class UpdateMessageDto {
  @ApiPropertyOptional({ enum: ['system_message', 'user_message', 'assistant_message', 'reasoning_message'] })
  @IsOptional() @IsIn(['system_message', 'user_message', 'assistant_message', 'reasoning_message'])
  message_type?: 'system_message' | 'user_message' | 'assistant_message' | 'reasoning_message';

  @ApiPropertyOptional({ description: 'New text (or content parts) of a system, user or assistant message.' })
  @IsOptional()
  content?: string | { type: string; [k: string]: unknown }[];

  @ApiPropertyOptional({ description: 'New text of a reasoning message.' })
  @IsOptional() @IsString()
  reasoning?: string;
}

export class ResetMessagesDto {
  @ApiPropertyOptional({ default: false, description: 'Accepted for compatibility; letta_v1 agents start with no initial messages.' })
  @IsOptional() @IsBoolean()
  add_default_initial_messages?: boolean;
}
