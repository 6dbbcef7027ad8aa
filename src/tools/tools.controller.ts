import { Controller, HttpCode, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ToolIdPipe } from '../common/id.pipe';
import { ListToolsQueryDto, ToolResponseDto } from './dto/tool.dto';
import { toToolResponse } from './tool.mapper';
import { ToolsService } from './tools.service';

@ApiTags('tools')
@Controller('v1/tools')
export class ToolsController {
  constructor(private readonly tools: ToolsService) {}

  @Get()
  @ApiOperation({ summary: 'List tools (newest first by default)' })
  @ApiOkResponse({ type: [ToolResponseDto] })
  async list(@Query() query: ListToolsQueryDto): Promise<ToolResponseDto[]> {
    return (await this.tools.list(query)).map(toToolResponse);
  }

  @Post('add-base-tools')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or refresh the built-in tools' })
  @ApiOkResponse({ type: [ToolResponseDto] })
  async addBaseTools(): Promise<ToolResponseDto[]> {
    return (await this.tools.upsertBuiltinTools()).map(toToolResponse);
  }

  @Get(':tool_id')
  @ApiOperation({ summary: 'Retrieve a tool' })
  @ApiOkResponse({ type: ToolResponseDto })
  async retrieve(@Param('tool_id', ToolIdPipe) id: string): Promise<ToolResponseDto> {
    return toToolResponse(await this.tools.get(id));
  }
}
