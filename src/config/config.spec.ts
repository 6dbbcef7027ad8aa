import { ConfigError, loadConfig, redactUrl } from './config';

describe('loadConfig', () => {
  it('defaults to the local services and Letta’s port', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8283,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/mnemo',
      redisUrl: 'redis://127.0.0.1:6379',
      logLevel: 'info',
      role: 'all',
    });
  });

  it.each([
    [{ PORT: 'x' }, /PORT/],
    [{ MNEMO_ROLE: 'boss' }, /MNEMO_ROLE/],
    [{ REDIS_URL: 'not a url' }, /REDIS_URL is not a valid URL/],
    [{ DATABASE_URL: 'http://db' }, /DATABASE_URL must start with postgres:\/\//],
  ])('names the variable that is wrong: %p', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('hides passwords in URLs it reports', () => {
    expect(redactUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
  });
});
