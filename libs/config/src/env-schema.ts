/**
 * Slipway's whole configuration: one validated environment schema (documented in the README).
 * A wrong value fails start-up with a message naming the variable.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''));
/** 32 bytes as 64 hex digits or base64 (what SecretCipher takes). */
const secretKey = z
  .string()
  .refine((s) => /^[0-9a-f]{64}$/i.test(s.trim()) || (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s.trim()) && Buffer.from(s.trim(), 'base64').length === 32), 'must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)');

export const envSchema = z.object({
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/slipway'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  HOST: z.string().default('0.0.0.0'),
  PORT: port.default(2746),
  SLIPWAY_ROLES: list.pipe(z.array(z.enum(['api', 'worker'])).min(1)).default(['api', 'worker']),
  SLIPWAY_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SLIPWAY_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name').default('default'),
  SLIPWAY_WORKDIR: z.string().default('.slipway'),
  SLIPWAY_EXECUTOR: z.enum(['local', 'kubernetes']).default('local'),
  SLIPWAY_SANDBOX: z.enum(['auto', 'bwrap', 'none']).default('auto'),
  SLIPWAY_SPAWNER: z.enum(['resident', 'node']).default('resident'),
  SLIPWAY_HELPER_IMAGE: z.string().regex(/^\S+$/, 'must be an image reference').default('slipway/helper:latest'),
  SLIPWAY_GIT_IMAGE: z.string().regex(/^\S+$/, 'must be an image reference').default('alpine/git:v2.47.2'),
  SLIPWAY_KILL_GRACE_SECONDS: z.coerce.number().int().min(0).default(30),
  SLIPWAY_SECRETS_DIR: z.string().optional(),
  SLIPWAY_WORKER_CONCURRENCY: positiveInt.default(16),
  SLIPWAY_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('slipway'),
  SLIPWAY_RESYNC_SECONDS: positiveInt.default(30),
  SLIPWAY_EXAMPLES: z.string().optional(),
  SLIPWAY_PUBLIC_URL: z.string().url().optional(),
  SLIPWAY_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'like 1mb or 512kb').default('1mb'),
  SLIPWAY_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SMTP_URL: z.string().url().optional(),
  SLIPWAY_METRICS_PORT: port.default(9090),
  GITLAB_URL: z.string().url().optional(),
  GITLAB_TOKEN: z.string().min(1).optional(),
  GITHUB_API_URL: z.string().url().optional(),
  GITHUB_TOKEN: z.string().min(1).optional(),
  SLIPWAY_SECRET_KEY: secretKey.optional(),
  SLIPWAY_SECRET_KEY_PREVIOUS: list.pipe(z.array(secretKey)).optional(),
});

export type SlipwayConfig = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** Parse and validate the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): SlipwayConfig {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '?');
    const got = cleaned[name] !== undefined ? ` (got ${JSON.stringify(cleaned[name])})` : '';
    return `  ${name}: ${issue.message}${got}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** The variables, their defaults and meaning, for `--help` and the README. */
export const ENV_DOCS: Record<keyof SlipwayConfig, string> = {
  DATABASE_URL: 'PostgreSQL connection string (the database is created if missing)',
  REDIS_URL: 'Redis connection string (BullMQ queues)',
  HOST: 'address the API listens on',
  PORT: 'API port (Argo Server uses 2746)',
  SLIPWAY_ROLES: 'roles of this process: api, worker or both (comma-separated)',
  SLIPWAY_ADMIN_TOKEN: 'bootstrap admin bearer token (≥ 16 characters); generated and printed when unset',
  SLIPWAY_NAMESPACE: 'default namespace',
  SLIPWAY_WORKDIR: 'where workers keep volumes, artifacts and step logs',
  SLIPWAY_EXECUTOR: 'where steps run: local (sandboxed processes) or kubernetes (a workflow may choose with the label workflows.slipway.dev/executor)',
  SLIPWAY_SANDBOX: 'local executor sandbox: auto, bwrap or none',
  SLIPWAY_SPAWNER: 'how the local executor starts step processes: resident (a small posix_spawn helper) or node (child_process)',
  SLIPWAY_HELPER_IMAGE: 'Kubernetes executor: image of the staging init container (deploy/helper)',
  SLIPWAY_GIT_IMAGE: 'Kubernetes executor: image of git input artifact init containers',
  SLIPWAY_KILL_GRACE_SECONDS: 'Kubernetes executor: grace period of pod deletions by stop, terminate and timeouts',
  SLIPWAY_SECRETS_DIR:
    'directory of the secrets workers give steps (git artifact usernameSecret/passwordSecret/sshPrivateKeySecret): <dir>/<secret name>/<key>, laid out like mounted Kubernetes Secrets; read at worker start, values never logged',
  SLIPWAY_WORKER_CONCURRENCY: 'steps one worker process runs at once',
  SLIPWAY_REDIS_PREFIX: 'prefix of every Redis key (one per deployment or test run)',
  SLIPWAY_RESYNC_SECONDS: 'how often workers look for work a lost message left behind',
  SLIPWAY_EXAMPLES: 'directory of WorkflowTemplates to load on start (default: the bundled examples)',
  SLIPWAY_PUBLIC_URL: 'external URL of the API, used in links',
  SLIPWAY_BODY_LIMIT: 'largest accepted request body',
  SLIPWAY_LOG_LEVEL: 'debug, info, warn or error',
  SMTP_URL: 'SMTP server for alert e-mails (smtp://user:pass@host:port)',
  SLIPWAY_METRICS_PORT: 'port of the worker\'s Prometheus GET /metrics (the API serves /metrics on PORT)',
  GITLAB_URL: 'GitLab base URL for commit statuses (default https://gitlab.com)',
  GITLAB_TOKEN: 'GitLab token (api scope) for commit statuses; unset: no GitLab statuses',
  GITHUB_API_URL: 'GitHub API URL for commit statuses (default https://api.github.com; GitHub Enterprise: https://host/api/v3)',
  GITHUB_TOKEN: 'GitHub token (repo:status) for commit statuses; unset: no GitHub statuses',
  SLIPWAY_SECRET_KEY:
    'key that encrypts stored webhook secrets (GitHub hooks): 32 bytes, hex or base64 (openssl rand -base64 32); unset: derived from SLIPWAY_ADMIN_TOKEN, else generated with a warning (GitHub hooks then stop verifying after a restart)',
  SLIPWAY_SECRET_KEY_PREVIOUS: 'former SLIPWAY_SECRET_KEY values (comma-separated) that still decrypt during a key rotation',
};
