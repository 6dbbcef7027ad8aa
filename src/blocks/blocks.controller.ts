import { Body, Controller, HttpCode, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BlockIdPipe } from '../common/id.pipe';
import { toBlockResponse } from './block.mapper';
import { BlocksService } from './blocks.service';
import { BlockResponseDto, CreateBlockDto, UpdateBlockDto } from './dto/block.dto';
import { ListBlocksQueryDto } from './dto/list-blocks.dto';

@ApiTags('blocks')
@Controller('v1/blocks')
export class BlocksController {
  constructor(private readonly blocks: BlocksService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a memory block' })
  @ApiOkResponse({ type: BlockResponseDto })
  async create(@Body() dto: CreateBlockDto): Promise<BlockResponseDto> {
    return toBlockResponse(await this.blocks.create(dto));
  }

  @Get()
  @ApiOperation({ summary: 'List memory blocks (oldest first by default)' })
  @ApiOkResponse({ type: [BlockResponseDto] })
  async list(@Query() query: ListBlocksQueryDto): Promise<BlockResponseDto[]> {
    return (await this.blocks.list(query)).map(toBlockResponse);
  }

  @Get(':block_id')
  @ApiOperation({ summary: 'Retrieve a memory block' })
  @ApiOkResponse({ type: BlockResponseDto })
  async retrieve(@Param('block_id', BlockIdPipe) id: string): Promise<BlockResponseDto> {
    return toBlockResponse(await this.blocks.get(id));
  }

  @Patch(':block_id')
  @ApiOperation({ summary: 'Modify a memory block; every agent holding it sees the change' })
  @ApiOkResponse({ type: BlockResponseDto })
  async update(@Param('block_id', BlockIdPipe) id: string, @Body() dto: UpdateBlockDto): Promise<BlockResponseDto> {
    return toBlockResponse(await this.blocks.update(id, dto));
  }

  @Delete(':block_id')
  @ApiOperation({ summary: 'Delete a memory block and detach it from every agent' })
  async delete(@Param('block_id', BlockIdPipe) id: string): Promise<null> {
    await this.blocks.delete(id);
    return null;
  }
}
