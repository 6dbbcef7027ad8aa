import 'reflect-metadata';
import { Client } from 'pg';
import { prepareDatabase } from '../../src/database/prepare-database';
import { TEST_DATABASE_URL } from './test-env';

/** Recreates the test database from the migrations once per jest run, so every run starts from the real schema. */
export default async function globalSetup(): Promise<void> {
  if ((globalThis as { __mnemoDbReady?: boolean }).__mnemoDbReady) return;
  const url = new URL(TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.end();
  await prepareDatabase(TEST_DATABASE_URL);
  (globalThis as { __mnemoDbReady?: boolean }).__mnemoDbReady = true;
}
