import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min, validateSync } from 'class-validator';

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every environment variable Mnemo reads; .env.example documents each one. */
class EnvironmentVariables {
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number;

  @IsOptional()
  @IsString()
  HOST?: string;

  @IsString()
  DATABASE_URL: string;

  @IsString()
  REDIS_URL: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number];

  @IsIn(ROLES)
  MNEMO_ROLE: Role;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  DATABASE_POOL_SIZE: number;

  @IsString()
  QUEUE_PREFIX: string;

  @IsOptional() @IsString() OPENAI_API_KEY?: string;
  @IsOptional() @IsString() OPENAI_BASE_URL?: string;
  @IsOptional() @IsString() ANTHROPIC_API_KEY?: string;
  @IsOptional() @IsString() ANTHROPIC_BASE_URL?: string;
  @IsOptional() @IsString() OLLAMA_BASE_URL?: string;
  @IsOptional() @IsString() DEFAULT_MODEL?: string;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  LLM_TIMEOUT_MS: number;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  LLM_MAX_RETRIES: number;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  MODEL_LIST_CACHE_SECONDS: number;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  RUN_CONCURRENCY: number;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1000)
  RUN_LOCK_MS: number;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(60)
  RUN_STREAM_RETENTION_SECONDS: number;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(100)
  STREAM_PING_INTERVAL_MS: number;

  @Transform(({ value }) => Number(value))
  @IsNumber()
  @Min(0.1)
  @Max(1)
  COMPACTION_TRIGGER_RATIO: number;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  CONTEXT_CACHE_MB: number;

  @Transform(({ value }) => Number(value))
  @IsNumber()
  @Min(0.05)
  @Max(1)
  COMPACTION_BACKGROUND_RATIO: number;
}

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  logLevel: (typeof LOG_LEVELS)[number];
  role: Role;
  databasePoolSize: number;
  queuePrefix: string;
  llm: LlmConfigSection;
  runs: RunsConfigSection;
  compaction: { triggerRatio: number; backgroundRatio: number };
  /** Memory the context windows each process keeps between turns may take (the least recently used contexts go first). */
  contextCacheBytes: number;
}

export interface RunsConfigSection {
  /** Runs one worker process executes at once. */
  concurrency: number;
  /** A run whose worker stops renewing its lock for this long is taken over (and failed) by another worker. */
  lockMs: number;
  /** How long a run's event stream stays replayable. */
  streamRetentionSeconds: number;
  pingIntervalMs: number;
}

export interface LlmConfigSection {
  openai?: { apiKey: string; baseUrl: string };
  anthropic?: { apiKey: string; baseUrl: string };
  ollama?: { baseUrl: string };
  /** The handle `letta/auto` (and its variants) stands for; the first model of the first provider when unset. */
  defaultModel?: string;
  timeoutMs: number;
  maxRetries: number;
  modelListCacheSeconds: number;
}

export class ConfigError extends Error {}

const DEFAULTS: Record<string, string> = {
  PORT: '8283',
  DATABASE_POOL_SIZE: '10',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mnemo',
  REDIS_URL: 'redis://127.0.0.1:6379',
  LOG_LEVEL: 'info',
  MNEMO_ROLE: 'all',
  QUEUE_PREFIX: 'mnemo',
  LLM_TIMEOUT_MS: '120000',
  LLM_MAX_RETRIES: '2',
  MODEL_LIST_CACHE_SECONDS: '60',
  RUN_CONCURRENCY: '16',
  RUN_LOCK_MS: '30000',
  RUN_STREAM_RETENTION_SECONDS: '14400',
  STREAM_PING_INTERVAL_MS: '20000',
  COMPACTION_TRIGGER_RATIO: '0.9',
  COMPACTION_BACKGROUND_RATIO: '0.7',
  CONTEXT_CACHE_MB: '64',
};

/** Reads and validates the environment; a bad value stops the boot with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') raw[key] = value;
  const parsed = plainToInstance(EnvironmentVariables, raw);
  const errors = validateSync(parsed, { whitelist: false });
  if (errors.length) {
    const lines = errors.map((e) => `${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  assertUrl('DATABASE_URL', parsed.DATABASE_URL, ['postgres:', 'postgresql:']);
  assertUrl('REDIS_URL', parsed.REDIS_URL, ['redis:', 'rediss:']);
  for (const name of ['OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL', 'OLLAMA_BASE_URL'] as const) {
    if (parsed[name]) assertUrl(name, parsed[name]!, ['http:', 'https:']);
  }
  return {
    port: parsed.PORT,
    host: parsed.HOST ?? '0.0.0.0',
    databaseUrl: parsed.DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    logLevel: parsed.LOG_LEVEL,
    role: parsed.MNEMO_ROLE,
    databasePoolSize: parsed.DATABASE_POOL_SIZE,
    queuePrefix: parsed.QUEUE_PREFIX,
    llm: {
      openai:
        parsed.OPENAI_API_KEY || parsed.OPENAI_BASE_URL
          ? { apiKey: parsed.OPENAI_API_KEY ?? 'not-needed', baseUrl: parsed.OPENAI_BASE_URL ?? 'https://api.openai.com/v1' }
          : undefined,
      anthropic:
        parsed.ANTHROPIC_API_KEY || parsed.ANTHROPIC_BASE_URL
          ? { apiKey: parsed.ANTHROPIC_API_KEY ?? 'not-needed', baseUrl: parsed.ANTHROPIC_BASE_URL ?? 'https://api.anthropic.com' }
          : undefined,
      ollama: parsed.OLLAMA_BASE_URL ? { baseUrl: parsed.OLLAMA_BASE_URL.replace(/\/+$/, '') } : undefined,
      defaultModel: parsed.DEFAULT_MODEL,
      timeoutMs: parsed.LLM_TIMEOUT_MS,
      maxRetries: parsed.LLM_MAX_RETRIES,
      modelListCacheSeconds: parsed.MODEL_LIST_CACHE_SECONDS,
    },
    runs: {
      concurrency: parsed.RUN_CONCURRENCY,
      lockMs: parsed.RUN_LOCK_MS,
      streamRetentionSeconds: parsed.RUN_STREAM_RETENTION_SECONDS,
      pingIntervalMs: parsed.STREAM_PING_INTERVAL_MS,
    },
    compaction: { triggerRatio: parsed.COMPACTION_TRIGGER_RATIO, backgroundRatio: parsed.COMPACTION_BACKGROUND_RATIO },
    contextCacheBytes: parsed.CONTEXT_CACHE_MB * 1024 * 1024,
  };
}

function assertUrl(name: string, value: string, protocols: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got ${redactUrl(value)}`);
  }
}

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

export const APP_CONFIG = Symbol('APP_CONFIG');
