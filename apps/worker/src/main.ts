#!/usr/bin/env node
/** `slipway-worker`: the worker role (queues + reconciler host). */
import { ConfigError, loadConfig } from '@slipway/config';
import { describeSecrets, loadSecretsDir, SecretsDirError } from '@slipway/executors/local';
import { createPrismaClient, DatabaseUnavailableError, ensureDatabase, migrate, MigrationError } from '@slipway/persistence';
import { KubernetesExecutor, type KubernetesExecutorOptions } from '@slipway/executors';
import { checkRedis, RedisUnavailableError } from '@slipway/queue';
import { WorkerHost } from './worker-host.js';

export async function startWorker(): Promise<WorkerHost> {
  const config = loadConfig();
  const kubernetes: KubernetesExecutorOptions = {
    helperImage: config.SLIPWAY_HELPER_IMAGE,
    gitImage: config.SLIPWAY_GIT_IMAGE,
    killGraceSeconds: config.SLIPWAY_KILL_GRACE_SECONDS,
  };
  if (config.SLIPWAY_EXECUTOR === 'kubernetes') {
    // $KUBECONFIG, ~/.kube/config, then the in-cluster service account: a broken file stops start-up.
    try {
      kubernetes.kubeConfig = KubernetesExecutor.defaultConfig();
    } catch (err) {
      throw new ConfigError(`SLIPWAY_EXECUTOR=kubernetes: cannot load the kubeconfig (KUBECONFIG=${process.env.KUBECONFIG ?? 'unset'}): ${(err as Error).message}`);
    }
  }
  await ensureDatabase(config.DATABASE_URL);
  await migrate(config.DATABASE_URL);
  await checkRedis(config.REDIS_URL);
  const secrets = config.SLIPWAY_SECRETS_DIR ? loadSecretsDir(config.SLIPWAY_SECRETS_DIR) : undefined;
  if (secrets) console.log(`[worker] secrets from ${config.SLIPWAY_SECRETS_DIR}: ${describeSecrets(secrets)}`);
  const db = createPrismaClient(config.DATABASE_URL);
  const host = new WorkerHost({
    db,
    redisUrl: config.REDIS_URL,
    prefix: config.SLIPWAY_REDIS_PREFIX,
    workdir: config.SLIPWAY_WORKDIR,
    sandbox: config.SLIPWAY_SANDBOX,
    spawner: config.SLIPWAY_SPAWNER,
    secrets,
    podConcurrency: config.SLIPWAY_WORKER_CONCURRENCY,
    executor: config.SLIPWAY_EXECUTOR,
    kubernetes,
    resyncSeconds: config.SLIPWAY_RESYNC_SECONDS,
    metricsPort: config.SLIPWAY_METRICS_PORT,
    webhooks: {
      publicUrl: config.SLIPWAY_PUBLIC_URL ?? `http://localhost:${config.PORT}`,
      smtpUrl: config.SMTP_URL,
      gitlabUrl: config.GITLAB_URL,
      gitlabToken: config.GITLAB_TOKEN,
      githubApiUrl: config.GITHUB_API_URL,
      githubToken: config.GITHUB_TOKEN,
    },
  });
  await host.start();
  const stop = () => {
    host.stop().then(
      () => db.$disconnect(),
      () => undefined,
    ).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log(`[worker] ${host.workerId} ready (executor: ${config.SLIPWAY_EXECUTOR}, concurrency ${config.SLIPWAY_WORKER_CONCURRENCY})`);
  return host;
}

if (process.argv[1]?.endsWith('worker/dist/main.js')) {
  startWorker().catch((err: unknown) => {
    const known = err instanceof ConfigError || err instanceof SecretsDirError || err instanceof DatabaseUnavailableError || err instanceof RedisUnavailableError || err instanceof MigrationError;
    console.error(known ? (err).message : `worker failed to start: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
