// The DataSource the TypeORM CLI uses to generate migrations from the entities (`npm run migration:generate`).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/config';
import { dataSourceOptions } from './src/database/data-source-options';

export default new DataSource(dataSourceOptions(loadConfig().databaseUrl));
