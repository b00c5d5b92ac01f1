/** The API's Nest module, built from explicit dependencies (see ApiDeps). */
import { Logger, Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import {
  AlertOutbox,
  ApiTokenRepository,
  AuditLog,
  CronWorkflowRepository,
  DeliveryIntakeWriter,
  DeliveryStore,
  EventBindingRepository,
  LogChunks,
  TemplateRepository,
  WorkflowInbox,
  WorkflowRepository,
  WorkflowStateStore,
  WebhookHookRepository,
  WorkflowWrites,
  type PrismaClient,
} from '@slipway/persistence';
import { AlertsController } from './alerts/alerts.controller.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditInterceptor } from './audit/audit.interceptor.js';
import { AuthGuard } from './auth/auth.guard.js';
import { BindingsController } from './bindings/bindings.controller.js';
import { BindingsService } from './bindings/bindings.service.js';
import { TokenService } from './auth/token-service.js';
import { TokensController } from './auth/tokens.controller.js';
import { BodyMiddleware } from './common/body.js';
import { Doorbell } from './common/doorbell.js';
import { ApiErrorFilter } from './common/error-filter.js';
import { CronController } from './cron/cron.controller.js';
import { CronService } from './cron/cron.service.js';
import { DeliveriesController } from './deliveries/deliveries.controller.js';
import { DeliveriesService } from './deliveries/deliveries.service.js';
import { CLOCK, CONFIG, PRISMA, QUEUES, SUBSCRIBER, type ApiDeps } from './deps.js';
import { HealthController } from './health/health.controller.js';
import { LogsController } from './logs/logs.controller.js';
import { LogsService } from './logs/logs.service.js';
import { MetricsController, metricsProvider } from './metrics/metrics.controller.js';
import { ClusterWorkflowTemplatesController } from './templates/cluster-workflow-templates.controller.js';
import { TemplateLookup } from './templates/template-lookup.js';
import { TemplatesService } from './templates/templates.service.js';
import { WorkflowTemplatesController } from './templates/workflow-templates.controller.js';
import { UpdatesHub } from './watch/updates-hub.js';
import { WatchController } from './watch/watch.controller.js';
import { WatchService } from './watch/watch.service.js';
import { HooksController } from './webhooks/hooks.controller.js';
import { HookVerificationCache } from './webhooks/hook-cache.js';
import { HooksService } from './webhooks/hooks.service.js';
import { WebhookIntakeService } from './webhooks/intake.service.js';
import { SECRET_CIPHER, secretCipherFor } from './webhooks/secret-key.js';
import { WebhookRoute } from './webhooks/webhook-route.js';
import { EventsController, WebhooksController } from './webhooks/webhooks.controller.js';
import { WorkflowActionsController } from './workflows/workflow-actions.controller.js';
import { WorkflowActionsService } from './workflows/workflow-actions.service.js';
import { WorkflowQueryService } from './workflows/workflow-query.service.js';
import { WorkflowSubmissionService } from './workflows/workflow-submission.service.js';
import { WorkflowsController } from './workflows/workflows.controller.js';

/** Repositories over the one Prisma client (only libs/persistence touches Prisma). */
const REPOSITORIES = [
  WorkflowRepository,
  WorkflowStateStore,
  WorkflowInbox,
  WorkflowWrites,
  LogChunks,
  TemplateRepository,
  CronWorkflowRepository,
  ApiTokenRepository,
  AuditLog,
  WebhookHookRepository,
  DeliveryStore,
  EventBindingRepository,
  AlertOutbox,
];

/** The webhook receivers read their body raw (GitHub's HMAC is over the exact bytes): WebhookRoute. */
const WEBHOOK_ROUTES = ['api/v1/webhooks/gitlab', 'api/v1/webhooks/gitlab/:hook', 'api/v1/webhooks/github', 'api/v1/webhooks/github/:hook'].map((path) => ({ path, method: RequestMethod.POST }));

function repository(cls: new (db: PrismaClient) => unknown): Provider {
  return { provide: cls, useFactory: (db: PrismaClient) => new cls(db), inject: [PRISMA] };
}

@Module({})
export class ApiModule implements NestModule {
  static forDeps(deps: ApiDeps): DynamicModule {
    return {
      module: ApiModule,
      controllers: [
        HealthController,
        MetricsController,
        WorkflowsController,
        WorkflowActionsController,
        LogsController,
        WatchController,
        WorkflowTemplatesController,
        ClusterWorkflowTemplatesController,
        CronController,
        TokensController,
        AuditController,
        WebhooksController,
        EventsController,
        HooksController,
        DeliveriesController,
        BindingsController,
        AlertsController,
      ],
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: PRISMA, useValue: deps.prisma },
        { provide: QUEUES, useValue: deps.queues },
        { provide: SUBSCRIBER, useValue: deps.subscriber },
        { provide: CLOCK, useValue: deps.clock ?? Date.now },
        metricsProvider(deps.metrics),
        ...REPOSITORIES.map(repository),
        Doorbell,
        TokenService,
        TemplateLookup,
        TemplatesService,
        CronService,
        WorkflowQueryService,
        WorkflowSubmissionService,
        WorkflowActionsService,
        LogsService,
        UpdatesHub,
        WatchService,
        { provide: SECRET_CIPHER, useFactory: () => secretCipherFor(deps.config, (m) => new Logger('webhooks').warn(m)) },
        HookVerificationCache,
        // The intake's own pg pool with group commit (closed by WebhookIntakeService on shutdown).
        { provide: DeliveryIntakeWriter, useFactory: () => DeliveryIntakeWriter.connect(deps.config.DATABASE_URL) },
        WebhookIntakeService,
        WebhookRoute,
        HooksService,
        DeliveriesService,
        BindingsService,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(BodyMiddleware)
      .exclude(...WEBHOOK_ROUTES)
      .forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
