/** Live progress on stderr: a redrawn tree on a terminal, plain lines otherwise. */
import type { NodeStatus, Workflow } from '@slipway/workflow';
import { formatDuration, nodeDuration, phaseIcon, renderTree } from './node-tree.js';

export interface ProgressWriter {
  update(workflow: Workflow, changed: NodeStatus[]): void;
  finish(workflow: Workflow): void;
}

export function createProgress(stream: NodeJS.WriteStream, quiet = false): ProgressWriter {
  if (quiet) return { update: () => {}, finish: () => {} };
  return stream.isTTY ? new TtyProgress(stream) : new PlainProgress(stream);
}

class PlainProgress implements ProgressWriter {
  private readonly last = new Map<string, string>();
  constructor(private readonly out: NodeJS.WritableStream) {}

  update(workflow: Workflow, changed: NodeStatus[]): void {
    const now = Date.now();
    for (const node of changed) {
      if (node.type === 'StepGroup') continue;
      const key = `${node.phase}|${node.message ?? ''}`;
      if (this.last.get(node.id) === key) continue;
      this.last.set(node.id, key);
      const dur = node.finishedAt ? `  ${nodeDuration(node, now)}` : '';
      const msg = node.message ? `  ${node.message}` : '';
      this.out.write(`${phaseIcon(node.phase)} ${node.name}  ${node.phase}${dur}${msg}\n`);
    }
    void workflow;
  }

  finish(workflow: Workflow): void {
    const s = workflow.status ?? {};
    const dur = s.startedAt && s.finishedAt ? formatDuration(Date.parse(s.finishedAt) - Date.parse(s.startedAt)) : '';
    this.out.write(`${workflow.metadata.name} ${s.phase ?? 'Unknown'}${dur ? ` in ${dur}` : ''}${s.message ? `: ${s.message}` : ''}\n`);
  }
}

class TtyProgress implements ProgressWriter {
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  private latest?: Workflow;

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(workflow: Workflow): void {
    this.latest = workflow;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, 80);
  }

  private draw(): void {
    if (!this.latest) return;
    const width = this.out.columns || 120;
    const lines = renderTree(this.latest, Date.now()).map((l) => (l.length > width - 1 ? `${l.slice(0, width - 2)}…` : l));
    const rows = (this.out.rows || 40) - 2;
    const shown = lines.length > rows ? [...lines.slice(0, rows - 1), `… ${lines.length - rows + 1} more`] : lines;
    let text = '';
    if (this.drawn > 0) text += `\x1b[${this.drawn}A`;
    for (const l of shown) text += `\x1b[2K${l}\n`;
    for (let i = shown.length; i < this.drawn; i++) text += '\x1b[2K\n';
    const extra = Math.max(0, this.drawn - shown.length);
    if (extra > 0) text += `\x1b[${extra}A`;
    this.out.write(text);
    this.drawn = shown.length;
  }

  finish(workflow: Workflow): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.latest = workflow;
    this.draw();
    const s = workflow.status ?? {};
    const dur = s.startedAt && s.finishedAt ? formatDuration(Date.parse(s.finishedAt) - Date.parse(s.startedAt)) : '';
    this.out.write(`${workflow.metadata.name} ${s.phase ?? 'Unknown'}${dur ? ` in ${dur}` : ''}${s.message ? `: ${s.message}` : ''}\n`);
  }
}
