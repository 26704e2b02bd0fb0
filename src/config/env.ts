import { z } from 'zod';

// The process environment, validated once at start: a bad variable stops the process with a
// message naming it, rather than surfacing later as a confusing failure.

const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((v) => protocols.some((p) => v.startsWith(`${p}:`)), {
      message: `expected a ${protocols.join(' or ')} URL`,
    });

const keyList = z.string().transform((v) =>
  v
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean),
);

/** An optional variable; empty is unset (compose passes `${VAR:-}` through as an empty string). */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('journeys'),
  /** TLS to Temporal (implied by an API key or a client certificate). */
  TEMPORAL_TLS: z.stringbool().default(false),
  /** Temporal Cloud API key. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  /** mTLS: paths of the client certificate and its private key (PEM). */
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  SMTP_URL: url(['smtp', 'smtps']).optional(),
  /** Twilio's API for text messages: its base URL (a stand-in's in development) and credentials. */
  SMS_URL: url(['http', 'https'])
    .transform((v) => v.replace(/\/+$/, ''))
    .default('https://api.twilio.com'),
  TWILIO_ACCOUNT_SID: unsetWhenEmpty(
    z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'expected an Account SID: AC and 32 hex digits'),
  ),
  TWILIO_AUTH_TOKEN: unsetWhenEmpty(z.string()),
  /** Signs webhook steps' calls (Standard Webhooks): whsec_ and base64 of at least 24 random bytes. */
  WEBHOOK_SECRET: unsetWhenEmpty(
    z.string().regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'expected whsec_ followed by base64 of at least 24 bytes'),
  ),
  API_KEYS: keyList.default([]),
  ADMIN_API_KEYS: keyList.default([]),
  PUBLIC_URL: url(['http', 'https'])
    .transform((v) => v.replace(/\/+$/, ''))
    .default('http://127.0.0.1:3000'),
  SIGNING_SECRET: z.string().min(16, 'use at least 16 characters').optional(),
  JOURNEYS_CONFIG: z.string().optional(),
  /** Requests a minute each API key may make (per API process); 0 turns the limit off. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(6000),
  /**
   * The proxies in front of the API whose X-Forwarded-For it believes (express's "trust proxy"): a
   * hop count, or names (loopback, linklocal, uniquelocal) and addresses/CIDRs separated by commas.
   * The tracking links read the client's address through it (Apple's privacy proxy is known by it).
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(\d+|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, 'expected a hop count, or names and CIDRs separated by commas')
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : v))
    .optional(),
  /** The API delivers what it stores itself; false when dispatcher processes do (dist/dispatcher/main.js). */
  API_DISPATCHER: z.stringbool().default(true),
  /** Customers one dispatcher delivers to at once (default in dispatcher.ts). */
  DISPATCHER_CONCURRENCY: z.coerce.number().int().positive().optional(),
  /** A dispatcher process's /metrics and /healthz; 0 turns them off. */
  DISPATCHER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  /** /readyz reports the delivery behind when the oldest undelivered event waited longer (seconds; default in health-routes.ts). */
  READY_BACKLOG_SECONDS: z.coerce.number().positive().optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(50),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().positive().default(40),
  /** Memory (MiB) the worker's sticky cache may use; its size in workflows follows (cache-size.ts). */
  WORKER_CACHE_MIB: z.coerce.number().int().positive().default(128),
  /** The sticky cache's size in workflows, instead of WORKER_CACHE_MIB (0: no cache); empty is unset. */
  WORKER_MAX_CACHED_WORKFLOWS: unsetWhenEmpty(z.coerce.number().int().nonnegative()),
  /** The worker's Prometheus endpoint (Temporal SDK metrics); 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
}

/** For production processes: these must be set (keys non-empty); the embedded defaults (npm start) fill them in. */
export function requireEnv<K extends keyof Env>(env: Env, keys: K[]): { [P in K]-?: NonNullable<Env[P]> } {
  const missing = keys.filter((k) => env[k] === undefined || (Array.isArray(env[k]) && env[k].length === 0));
  if (missing.length > 0) throw new EnvError(`Missing environment: ${missing.join(', ')}`);
  return env as never;
}
