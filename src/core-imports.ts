import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source-options';

/** What every role shares: configuration and the database. */
export function coreImports(config: AppConfig) {
  return [
    ConfigModule.forRoot(config),
    TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl, config.databasePoolSize), autoLoadEntities: false }),
  ];
}

