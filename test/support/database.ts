import { Client } from 'pg';
import { prepareDatabase } from '../../src/database/prepare-database';
import { TEST_DATABASE_URL } from './test-env';

/** Drops the database `url` names, if it exists, and creates it again from the migrations. */
export async function recreateDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await prepareDatabase(url);
}

/** A database of one test file's own, fresh from the migrations (`<test database>_<suffix>`), and a client on it. */
export async function ownDatabase(suffix: string): Promise<Client> {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `${url.pathname}_${suffix}`;
  await recreateDatabase(url.toString());
  const db = new Client({ connectionString: url.toString() });
  await db.connect();
  return db;
}
