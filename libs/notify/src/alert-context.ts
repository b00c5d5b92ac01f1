/**
 * Turning a failed workflow into an outbox row: where recipients and push details come from,
 * the deterministic Message-ID, the link.
 */
import type { AlertKind, NewAlert } from '@slipway/persistence';
import type { Workflow } from '@slipway/workflow';
import { buildFailureAlert, type FailureAlertInput } from './failure-alert.js';

/**
 * Workflow annotations an alert reads. Whoever creates the workflow (the webhook binding, the
 * API) sets them; recipients are a comma- or semicolon-separated list of addresses.
 */
export const ALERT_ANNOTATIONS = {
  recipients: 'slipway.dev/alert-recipients',
  repo: 'slipway.dev/repo',
  branch: 'slipway.dev/branch',
  commit: 'slipway.dev/commit',
  pusher: 'slipway.dev/pusher',
} as const;

/** `<alert-<workflow uid>@slipway>` (other kinds: `<alert-<kind>-<uid>@slipway>`). */
export function alertMessageId(workflowUid: string, kind: AlertKind = 'failure'): string {
  return kind === 'failure' ? `<alert-${workflowUid}@slipway>` : `<alert-${kind}-${workflowUid}@slipway>`;
}

/** The workflow's page in Slipway (Argo's UI path). */
export function workflowLink(publicUrl: string, namespace: string, name: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

const BARE = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
const NAMED = /^[^<>@]*<([^\s@<>,;"]+@[^\s@<>,;"]+)>$/;

/**
 * Recipients from any number of lists (strings split on `,` `;` and newlines, or arrays), trimmed
 * and deduplicated case-insensitively. `Name <addr>` is accepted; anything else is `invalid`.
 */
export function parseRecipients(...lists: (string | readonly string[] | undefined)[]): { recipients: string[]; invalid: string[] } {
  const recipients: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const list of lists) {
    if (list === undefined) continue;
    const items = typeof list === 'string' ? list.split(/[,;\n]/) : list;
    for (const raw of items) {
      const item = raw.trim();
      if (item === '') continue;
      const address = BARE.test(item) ? item : NAMED.exec(item)?.[1];
      if (!address) {
        invalid.push(item);
        continue;
      }
      const key = address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      recipients.push(item);
    }
  }
  return { recipients, invalid };
}

export interface AlertContext {
  recipients: string[];
  invalidRecipients: string[];
  repo?: string;
  branch?: string;
  commit?: string;
  pusher?: string;
}

/** Recipients and push details from the workflow's annotations (plus `extraRecipients`). */
export function alertContextOf(workflow: Workflow, extraRecipients?: string | readonly string[]): AlertContext {
  const a = workflow.metadata.annotations ?? {};
  const { recipients, invalid } = parseRecipients(a[ALERT_ANNOTATIONS.recipients], extraRecipients);
  const value = (key: string) => (a[key] !== undefined && a[key] !== '' ? a[key] : undefined);
  return {
    recipients,
    invalidRecipients: invalid,
    repo: value(ALERT_ANNOTATIONS.repo),
    branch: value(ALERT_ANNOTATIONS.branch),
    commit: value(ALERT_ANNOTATIONS.commit),
    pusher: value(ALERT_ANNOTATIONS.pusher),
  };
}

export interface PrepareFailureAlertInput extends FailureAlertInput {
  recipients: readonly string[];
}

/**
 * The outbox row for a Failed/Error workflow: content, recipients and Message-ID. Build it before
 * the transaction that saves the terminal state, then `AlertOutbox.enqueue(row, tx)` inside it.
 */
export async function prepareFailureAlert(input: PrepareFailureAlertInput): Promise<NewAlert> {
  const uid = input.workflow.metadata.uid;
  if (!uid) throw new Error('prepareFailureAlert: the workflow has no metadata.uid');
  const content = await buildFailureAlert(input);
  return {
    workflowId: uid,
    namespace: input.workflow.metadata.namespace ?? 'default',
    workflowName: input.workflow.metadata.name ?? '',
    kind: 'failure',
    recipients: [...input.recipients],
    subject: content.subject,
    bodyText: content.text,
    bodyHtml: content.html,
    messageId: alertMessageId(uid, 'failure'),
  };
}
