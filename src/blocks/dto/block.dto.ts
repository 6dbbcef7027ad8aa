import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Min, MinLength } from 'class-validator';
import { IsStringArray } from '../../common/validators';

class BlockFieldsDto {
  @ApiPropertyOptional({ description: 'Maximum number of characters the value may hold.', default: 100000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  limit?: number;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  description?: string | null;

  @ApiPropertyOptional({ default: false, description: 'Read-only blocks cannot be edited by the agent.' })
  @IsOptional()
  @IsBoolean()
  read_only?: boolean;

  @ApiPropertyOptional({ type: Object })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsStringArray()
  tags?: string[] | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsBoolean()
  hidden?: boolean | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  is_template?: boolean;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  template_name?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  preserve_on_migration?: boolean;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  project_id?: string | null;
}

export class CreateBlockDto extends BlockFieldsDto {
  @ApiProperty({ description: 'Label of the block, unique among the blocks of one agent (e.g. `human`, `persona`).' })
  @IsString()
  @MinLength(1)
  label: string;

  @ApiProperty({ description: 'The block content.' })
  @IsString()
  value: string;
}

export class UpdateBlockDto extends BlockFieldsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  label?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  value?: string;
}

export class BlockResponseDto {
  @ApiProperty({ example: 'block-7c1a0b52-3f5e-4b8e-9a44-4f3ab1d2c0de' }) id: string;
  @ApiProperty() label: string;
  @ApiProperty() value: string;
  @ApiProperty() limit: number;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() read_only: boolean;
  @ApiProperty({ type: Object }) metadata: Record<string, unknown>;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ nullable: true, type: Boolean }) hidden: boolean | null;
  @ApiProperty() is_template: boolean;
  @ApiProperty({ nullable: true, type: String }) template_name: string | null;
  @ApiProperty() preserve_on_migration: boolean;
  @ApiProperty({ nullable: true, type: String }) project_id: string | null;
  @ApiProperty({ nullable: true, type: String }) template_id: string | null;
  @ApiProperty({ nullable: true, type: String }) base_template_id: string | null;
  @ApiProperty({ nullable: true, type: String }) deployment_id: string | null;
  @ApiProperty({ nullable: true, type: String }) entity_id: string | null;
  @ApiProperty({ nullable: true, type: String }) created_by_id: string | null;
  @ApiProperty({ nullable: true, type: String }) last_updated_by_id: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}
