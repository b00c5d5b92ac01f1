/**
 * WorkflowEventBindings (Argo's resource plus `spec.slipway`): linted with @slipway/scm's binding
 * lint (selector and `valueFrom.event` syntax, Slipway extensions), errors as `line:col: field:
 * message` into the body as sent. The referenced WorkflowTemplate need not exist yet (as in Argo,
 * where the binding is a plain resource); a missing one makes the delivery record an error.
 */
import { Injectable } from '@nestjs/common';
import { EventBindingExistsError, EventBindingNotFoundError, EventBindingRepository, iso, type EventBindingRecord } from '@slipway/persistence';
import { lintBindingDocuments } from '@slipway/scm';
import type { ParsedDocument, WorkflowEventBinding } from '@slipway/workflow';
import type { Request } from 'express';
import { conflict, invalid, notFound } from '../common/api-error.js';
import { lintError, readBodyDocument } from '../common/documents.js';

const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'];

@Injectable()
export class BindingsService {
  constructor(private readonly bindings: EventBindingRepository) {}

  async create(namespace: string, req: Request): Promise<WorkflowEventBinding> {
    const doc = this.readAndLint(namespace, req);
    try {
      return present(await this.bindings.create(namespace, nameOf(doc), normalize(doc, namespace)));
    } catch (err) {
      if (err instanceof EventBindingExistsError) throw conflict(err.message);
      throw err;
    }
  }

  async update(namespace: string, name: string, req: Request): Promise<WorkflowEventBinding> {
    const doc = this.readAndLint(namespace, req);
    if (nameOf(doc) !== name) throw invalid(`metadata.name: "${nameOf(doc)}" does not match the name in the path "${name}"`);
    try {
      return present(await this.bindings.update(namespace, name, normalize(doc, namespace)));
    } catch (err) {
      if (err instanceof EventBindingNotFoundError) throw notFound(err.message);
      throw err;
    }
  }

  lint(namespace: string, req: Request): WorkflowEventBinding {
    return normalize(this.readAndLint(namespace, req), namespace);
  }

  async get(namespace: string, name: string): Promise<WorkflowEventBinding> {
    const record = await this.bindings.get(namespace, name);
    if (!record) throw notFoundError(name);
    return present(record);
  }

  async list(namespace: string): Promise<{ metadata: Record<string, never>; items: WorkflowEventBinding[] }> {
    return { metadata: {}, items: (await this.bindings.list(namespace)).map(present) };
  }

  async delete(namespace: string, name: string): Promise<void> {
    if (!(await this.bindings.delete(namespace, name))) throw notFoundError(name);
  }

  private readAndLint(namespace: string, req: Request): ParsedDocument {
    const { doc } = readBodyDocument(req, 'workflowEventBinding', ['WorkflowEventBinding']);
    const meta = (doc.object.metadata ?? {}) as { namespace?: unknown };
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
      throw invalid(`metadata.namespace: "${String(meta.namespace)}" does not match the request's namespace "${namespace}"`);
    }
    const errors = lintBindingDocuments([doc]).filter((d) => d.severity === 'error');
    if (errors.length > 0) throw lintError(errors);
    return doc;
  }
}

function nameOf(doc: ParsedDocument): string {
  const name = (doc.object.metadata as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || name === '') throw invalid('metadata.name: required for workflow event bindings');
  return name;
}

function normalize(doc: ParsedDocument, namespace: string): WorkflowEventBinding {
  const b = structuredClone(doc.object) as unknown as WorkflowEventBinding;
  const meta: Record<string, unknown> = { ...(b.metadata ?? {}) };
  for (const f of SERVER_FIELDS) delete meta[f];
  meta.namespace = namespace;
  b.metadata = meta;
  return b;
}

function present(r: EventBindingRecord): WorkflowEventBinding {
  return {
    ...r.manifest,
    metadata: { ...r.manifest.metadata, uid: r.id, resourceVersion: String(r.updatedAt.getTime()), creationTimestamp: iso(r.createdAt) },
  };
}

function notFoundError(name: string): Error {
  return notFound(`workfloweventbindings.argoproj.io "${name}" not found`);
}
