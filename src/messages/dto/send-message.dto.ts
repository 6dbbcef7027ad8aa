import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUrl, Max, Min, ValidateNested } from 'class-validator';
import { IsMessageContent } from '../../common/validators';
import { MESSAGE_TYPES, MessageType } from '../letta-message';

export class MessageCreateDto {
  @ApiPropertyOptional({ enum: ['message', 'approval', 'tool_return'], default: 'message' })
  @IsOptional() @IsIn(['message', 'approval', 'tool_return'])
  type?: 'message' | 'approval' | 'tool_return';

  @ApiPropertyOptional({ enum: ['user', 'system', 'assistant'] })
  @IsOptional() @IsIn(['user', 'system', 'assistant'])
  role?: 'user' | 'system' | 'assistant';

  @ApiPropertyOptional({ description: 'Text, or content parts (`text`, `image`).' })
  @IsOptional() @IsMessageContent()
  content?: string | { type: string; [k: string]: unknown }[];

  @ApiPropertyOptional() @IsOptional() @IsString()
  name?: string | null;

  @ApiPropertyOptional({ description: 'Client-chosen id of this input, kept on the stored message.' })
  @IsOptional() @IsString()
  otid?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  sender_id?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  group_id?: string | null;

  @ApiPropertyOptional({ type: [Object] }) @IsOptional() @IsArray()
  approvals?: Record<string, unknown>[] | null;

  @ApiPropertyOptional({ type: [Object] }) @IsOptional() @IsArray()
  tool_returns?: Record<string, unknown>[] | null;

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  approve?: boolean | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  approval_request_id?: string | null;
}

/** LettaStreamingRequest: the body of `POST /v1/agents/{id}/messages`. */
export class SendMessageDto {
  @ApiPropertyOptional({ type: [MessageCreateDto], description: 'The input messages; exactly one of `messages` and `input`.' })
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => MessageCreateDto)
  messages?: MessageCreateDto[] | null;

  @ApiPropertyOptional({ description: 'Shorthand for one user message: text or content parts.' })
  @IsOptional() @IsMessageContent()
  input?: string | { type: string; [k: string]: unknown }[] | null;

  @ApiPropertyOptional({ default: 50, description: 'Maximum agent steps (model calls) in this turn.' })
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  max_steps?: number;

  @ApiPropertyOptional({ enum: MESSAGE_TYPES, isArray: true, description: 'Only return messages of these types.' })
  @IsOptional() @IsArray() @IsIn(MESSAGE_TYPES as unknown as string[], { each: true })
  include_return_message_types?: MessageType[] | null;

  @ApiPropertyOptional({ description: 'Model handle to use for this request only.' })
  @IsOptional() @IsString()
  override_model?: string | null;

  @ApiPropertyOptional({ description: 'System prompt to use verbatim for this request only.' })
  @IsOptional() @IsString()
  override_system?: string | null;

  @ApiPropertyOptional({ default: false, description: 'Answer as a Server-Sent-Events stream.' })
  @IsOptional() @IsBoolean()
  streaming?: boolean;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean()
  stream_tokens?: boolean;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean()
  include_pings?: boolean;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean()
  background?: boolean;

  @ApiPropertyOptional({ type: [Object], description: 'Tools the client executes itself.' })
  @IsOptional() @IsArray() @IsObject({ each: true })
  client_tools?: Record<string, unknown>[] | null;

  @ApiPropertyOptional({ type: [Object] }) @IsOptional() @IsArray()
  client_skills?: Record<string, unknown>[] | null;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean()
  include_compaction_messages?: boolean;

  @ApiPropertyOptional({ default: true, description: 'Deprecated; always true for letta_v1 agents.' })
  @IsOptional() @IsBoolean()
  use_assistant_message?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsString()
  assistant_message_tool_name?: string;

  @ApiPropertyOptional() @IsOptional() @IsString()
  assistant_message_tool_kwarg?: string;

  @ApiPropertyOptional({
    enum: ['reject', 'queue'],
    default: 'reject',
    description:
      'Mnemo extension. What to do when the agent (or conversation) is already running a turn: `reject` answers 409 with the ' +
      'blocking `run_id` (Letta behaviour); `queue` admits the run and starts it when the runs admitted before it have ended.',
  })
  @IsOptional() @IsIn(['reject', 'queue'])
  if_busy?: 'reject' | 'queue';
}

/** LettaAsyncRequest: the body of `POST /v1/agents/{id}/messages/async`. */
export class SendAsyncMessageDto extends SendMessageDto {
  @ApiPropertyOptional({ description: 'URL that receives `{run_id, status, completed_at, metadata}` by POST when the run ends.' })
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  callback_url?: string | null;
}

export class CancelRunsDto {
  @ApiPropertyOptional({ type: [String], description: 'Runs to cancel; all active runs of the agent when absent.' })
  @IsOptional() @IsArray() @IsString({ each: true })
  run_ids?: string[] | null;
}

export class CompactDto {
  @ApiPropertyOptional({ type: Object, description: 'Overrides of the agent’s compaction_settings (model, mode, prompt, sliding_window_percentage, clip_chars).' })
  @IsOptional() @IsObject()
  compaction_settings?: Record<string, unknown> | null;

  @ApiPropertyOptional({ description: 'The agent, with the conversation id `default`.' })
  @IsOptional() @IsString()
  agent_id?: string | null;
}
