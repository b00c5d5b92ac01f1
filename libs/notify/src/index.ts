export { buildFailureAlert, type AlertContent, type FailureAlertInput, type LogTailRef } from './failure-alert.js';
export { failedNodes, type FailedNode } from './failed-nodes.js';
export { escapeHtml } from './html.js';
export {
  ALERT_ANNOTATIONS,
  alertContextOf,
  alertMessageId,
  parseRecipients,
  prepareFailureAlert,
  workflowLink,
  type AlertContext,
  type PrepareFailureAlertInput,
} from './alert-context.js';
export { smtpMailer, isPermanentSmtpError, describeSmtpError, type AlertMailer, type OutgoingMail, type SendResult, type SmtpMailerOptions } from './smtp-mailer.js';
export { AlertDispatcher, type AlertDispatcherOptions, type AlertEmailOutcome, type BackoffPolicy, type DispatchReport } from './alert-dispatcher.js';
