/** Where the test tiers put their data: a database and a Redis key prefix of their own on the machine's services. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mnemo_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const TEST_QUEUE_PREFIX = 'mnemo-test';
