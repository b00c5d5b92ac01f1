/** Stored webhook deliveries: list, get (headers redacted, raw body), replay (a new delivery linked to the original, queued). */
import { Inject, Injectable } from '@nestjs/common';
import { DeliveryStore, type DeliveryDetail, type DeliveryFilter, type DeliverySummary } from '@slipway/persistence';
import { redactHeaders } from '@slipway/scm';
import type { Principal } from '../auth/access.js';
import { notFound } from '../common/api-error.js';
import { CLOCK, type Clock } from '../deps.js';
import { WebhookIntakeService } from '../webhooks/intake.service.js';
import { encodeContinue, visibleRow } from './namespace-scope.js';

export type DeliveryView = Omit<DeliverySummary, 'receivedAt' | 'queuedAt' | 'processedAt'> & {
  receivedAt: string;
  queuedAt: string | null;
  processedAt: string | null;
};

export type DeliveryDetailView = DeliveryView & { headers: Record<string, string>; rawBody: string };

@Injectable()
export class DeliveriesService {
  constructor(
    private readonly store: DeliveryStore,
    private readonly intake: WebhookIntakeService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(filter: Omit<DeliveryFilter, 'limit'> & { limit: number }): Promise<{ metadata: { continue?: string }; items: DeliveryView[] }> {
    const rows = await this.store.list({ ...filter, limit: filter.limit + 1 });
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return { metadata: rows.length > filter.limit && last ? { continue: encodeContinue(last.receivedAt, last.id) } : {}, items: page.map(view) };
  }

  async get(who: Principal, id: string): Promise<DeliveryDetailView> {
    const row = visibleRow(who, await this.store.get(id), `delivery ${id}`);
    return detailView(row);
  }

  /** A new delivery with the same headers and body (`replayOf` = id), queued like a fresh one. */
  async replay(who: Principal, id: string): Promise<DeliveryView & { queued: boolean }> {
    visibleRow(who, await this.store.get(id), `delivery ${id}`);
    const copy = await this.store.replay(id, new Date(this.clock()));
    if (!copy) throw notFound(`delivery ${id} not found`);
    const queued = await this.intake.enqueue(copy.id);
    return { ...view(copy), queuedAt: queued ? new Date(this.clock()).toISOString() : null, queued };
  }
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

function view(r: DeliverySummary): DeliveryView {
  return { ...r, receivedAt: r.receivedAt.toISOString(), queuedAt: iso(r.queuedAt), processedAt: iso(r.processedAt) };
}

function detailView(r: DeliveryDetail): DeliveryDetailView {
  return { ...view(r), headers: redactHeaders(r.headers), rawBody: r.rawBody };
}
