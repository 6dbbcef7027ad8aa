import { Module } from '@nestjs/common';
import { ModelsController } from './models.controller';
import { ProvidersService } from './providers.service';

@Module({ controllers: [ModelsController], providers: [ProvidersService], exports: [ProvidersService] })
export class LlmModule {}
