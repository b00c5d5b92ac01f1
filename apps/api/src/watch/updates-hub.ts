/**
 * One Redis subscription to `<prefix>:workflow-updates` for the whole process, fanned out to the
 * open watch streams. The worker publishes `{workflowId, namespace, name, phase, version}` after
 * each save; the API publishes `{…, deleted: true}` when it deletes a workflow.
 */
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { SlipwayConfig } from '@slipway/config';
import type { Redis } from 'ioredis';
import { EventEmitter } from 'node:events';
import { CONFIG, SUBSCRIBER, updatesChannel } from '../deps.js';

export interface WorkflowUpdate {
  workflowId: string;
  namespace: string;
  name: string;
  phase?: string;
  version?: number;
  deleted?: boolean;
}

const READY_WAIT_MS = 2000;

@Injectable()
export class UpdatesHub implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('watch');
  private readonly emitter = new EventEmitter();
  private readonly channel: string;
  private subscribed?: Promise<void>;
  private readonly onMessage = (channel: string, message: string): void => {
    if (channel !== this.channel) return;
    const update = parse(message);
    if (update) this.emitter.emit('update', update);
  };

  constructor(
    @Inject(SUBSCRIBER) private readonly subscriber: Redis,
    @Inject(CONFIG) config: SlipwayConfig,
  ) {
    this.channel = updatesChannel(config.SLIPWAY_REDIS_PREFIX);
    this.emitter.setMaxListeners(0);
  }

  onModuleInit(): void {
    this.subscriber.on('message', this.onMessage);
    void this.subscribe();
  }

  onModuleDestroy(): void {
    this.subscriber.off('message', this.onMessage);
    this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  /** Listen for updates; returns the function that stops listening. Resolves once subscribed (or after a short wait). */
  async listen(fn: (u: WorkflowUpdate) => void): Promise<() => void> {
    this.emitter.on('update', fn);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.subscribe(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, READY_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    return () => this.emitter.off('update', fn);
  }

  /** Never rejects; a failed SUBSCRIBE is tried again by the next watcher (ioredis re-subscribes after reconnects). */
  private subscribe(): Promise<void> {
    this.subscribed ??= this.subscriber.subscribe(this.channel).then(
      () => undefined,
      (err: Error) => {
        this.subscribed = undefined;
        this.log.warn(`cannot subscribe to ${this.channel}: ${err.message}`);
      },
    );
    return this.subscribed;
  }
}

function parse(message: string): WorkflowUpdate | undefined {
  try {
    const v = JSON.parse(message) as Partial<WorkflowUpdate>;
    if (typeof v.workflowId !== 'string' || typeof v.namespace !== 'string' || typeof v.name !== 'string') return undefined;
    return v as WorkflowUpdate;
  } catch {
    return undefined;
  }
}
