/**
 * What a run started by a webhook delivery is called and carries: a name derived from the
 * delivery and the binding (a retried job collides with it and adopts the run instead of starting
 * a second one), labels to find it again (binding, delivery, concurrency group) and the
 * annotations the failure alert and the commit status read.
 */
import { createHash } from 'node:crypto';
import { ALERT_ANNOTATIONS } from '@slipway/notify';
import { statusName, type BindingEvent, type BindingStart } from '@slipway/scm';

export const BINDING_LABEL = 'workflows.argoproj.io/workflow-event-binding';
export const DELIVERY_LABEL = 'slipway.dev/delivery';
/** sha256 of the rendered concurrency key (label values are limited to 63 characters). */
export const CONCURRENCY_LABEL = 'slipway.dev/concurrency';

/** The commit status target of a run (read by the worker's status reporting). */
export const STATUS_ANNOTATIONS = {
  provider: 'slipway.dev/scm-provider',
  project: 'slipway.dev/scm-project',
  sha: 'slipway.dev/scm-sha',
  ref: 'slipway.dev/scm-ref',
  name: 'slipway.dev/status-name',
} as const;
export const CONCURRENCY_KEY_ANNOTATION = 'slipway.dev/concurrency-key';
/** When the delivery was received: of two runs in one concurrency group, the later push wins. */
export const RECEIVED_AT_ANNOTATION = 'slipway.dev/delivery-received-at';

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

export function concurrencyLabel(key: string): string {
  return hash(key, 40);
}

/** `<template>-<10 hex of sha256(delivery id / binding)>`: deterministic, a valid DNS name. */
export function runName(deliveryId: string, bindingName: string, templateName: string): string {
  const base = templateName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'run';
  return `${base}-${hash(`${deliveryId}/${bindingName}`, 10)}`;
}

export interface RunMetadata {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A generic event (Argo's event endpoint) has no repository or commit: no SCM annotations, no commit status. */
export function runMetadata(deliveryId: string, receivedAt: Date, event: BindingEvent, start: BindingStart): RunMetadata {
  const bindingName = start.binding.metadata?.name ?? 'binding';
  const template = start.binding.spec.submit?.workflowTemplateRef?.name ?? bindingName;
  const labels: Record<string, string> = { [BINDING_LABEL]: bindingName, [DELIVERY_LABEL]: deliveryId };
  const annotations: Record<string, string> = { [RECEIVED_AT_ANNOTATION]: receivedAt.toISOString() };
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') annotations[key] = value;
  };
  if (start.concurrencyKey !== undefined) {
    labels[CONCURRENCY_LABEL] = concurrencyLabel(start.concurrencyKey);
    annotations[CONCURRENCY_KEY_ANNOTATION] = start.concurrencyKey;
  }
  put(ALERT_ANNOTATIONS.recipients, start.alertRecipients.join(', '));
  if (event.provider === 'generic') return { labels, annotations };
  const delivery = event;
  put(ALERT_ANNOTATIONS.repo, delivery.repo);
  put(ALERT_ANNOTATIONS.branch, delivery.branch ?? delivery.tag);
  put(ALERT_ANNOTATIONS.commit, delivery.commitSha);
  put(ALERT_ANNOTATIONS.pusher, delivery.pusher);
  if (delivery.repo && delivery.commitSha) {
    put(STATUS_ANNOTATIONS.provider, delivery.provider);
    put(STATUS_ANNOTATIONS.project, delivery.repo);
    put(STATUS_ANNOTATIONS.sha, delivery.commitSha);
    put(STATUS_ANNOTATIONS.ref, delivery.branch ?? delivery.tag);
    put(STATUS_ANNOTATIONS.name, statusName(template));
  }
  return { labels, annotations };
}
