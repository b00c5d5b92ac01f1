/** Every error leaves as `{ code, reason, message }` with the matching HTTP status; never a stack trace. */
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import {
  CronWorkflowExistsError,
  CronWorkflowNotFoundError,
  LabelSelectorError,
  TemplateConflictError,
  TemplateExistsError,
  TemplateNotFoundError,
  WorkflowExistsError,
} from '@slipway/persistence';
import type { Response } from 'express';
import { ApiError, isDatabaseUnavailable, lastLine, reasonForStatus } from './api-error.js';

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const err = this.toApiError(exception);
    if (err.status >= 500 && err.reason !== 'Unavailable') this.log.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(err.status).json(err.body());
  }

  private toApiError(e: unknown): ApiError {
    if (e instanceof ApiError) return e;
    if (e instanceof TemplateExistsError || e instanceof WorkflowExistsError || e instanceof CronWorkflowExistsError) {
      return new ApiError('AlreadyExists', e.message);
    }
    if (e instanceof TemplateNotFoundError || e instanceof CronWorkflowNotFoundError) return new ApiError('NotFound', e.message);
    if (e instanceof TemplateConflictError) return new ApiError('Aborted', e.message);
    if (e instanceof LabelSelectorError) return new ApiError('InvalidArgument', e.message);
    if (isDatabaseUnavailable(e)) {
      return new ApiError('Unavailable', `database unavailable (PostgreSQL): ${lastLine((e as Error).message)}`);
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const response = e.getResponse();
      const message =
        typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? e.message);
      return new ApiError(reasonForStatus(status), message);
    }
    return new ApiError('Internal', 'internal error');
  }
}
