// `npm run migration:run`: creates the database if missing and applies pending migrations, as the server does at boot
// (under the same advisory lock), for deployments that migrate in a step of their own before starting the servers.
import 'reflect-metadata';
import { loadConfig, redactUrl } from '../config/config';
import { prepareDatabase } from './prepare-database';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  const applied = await prepareDatabase(databaseUrl);
  process.stdout.write(`${redactUrl(databaseUrl)}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
