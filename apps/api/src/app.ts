/** `createApiApp(deps)`: the Nest application (not listening), for tests and the composition root. */
import 'reflect-metadata';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiModule } from './api.module.js';
import type { ApiDeps } from './deps.js';
import { mountWebhookRoute } from './webhooks/webhook-route.js';

const LEVELS: Record<string, LogLevel[]> = {
  debug: ['error', 'warn', 'log', 'debug'],
  info: ['error', 'warn'],
  warn: ['error', 'warn'],
  error: ['error'],
};

export async function createApiApp(deps: ApiDeps): Promise<INestApplication> {
  const app = await NestFactory.create(ApiModule.forDeps(deps), new ExpressAdapter(), {
    bodyParser: false,
    logger: deps.logger ?? LEVELS[deps.config.SLIPWAY_LOG_LEVEL],
    abortOnError: false,
    // Log follows and watches are long-lived: closing the app ends them instead of waiting.
    forceCloseConnections: true,
  });
  // Before Nest's routes and middleware (they are added on init): webhooks skip the guard pipeline.
  mountWebhookRoute(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Slipway API')
      .setDescription('Argo Server compatible workflow API (workflows, templates with revisions, cron workflows), plus tokens and audit events.')
      .setVersion('v1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  return app;
}
