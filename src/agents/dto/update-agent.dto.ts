import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsInt, IsOptional, IsString } from 'class-validator';
import { IsStringArray } from '../../common/validators';
import { AgentFieldsDto } from './agent-fields.dto';

export class UpdateAgentDto extends AgentFieldsDto {
  @ApiPropertyOptional({ type: [String], description: 'Ids of the messages that make up the context window, system message first.' })
  @IsOptional() @IsStringArray()
  message_ids?: string[] | null;

  @ApiPropertyOptional() @IsOptional() @IsDateString()
  last_run_completion?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsInt()
  last_run_duration_ms?: number | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  last_stop_reason?: string | null;
}
