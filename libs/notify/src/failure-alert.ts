/**
 * The content of a failure alert: what failed, where it came from, the failed steps with the
 * end of their logs, and a link to the workflow. Pure apart from reading the logs it is given.
 */
import type { NodeStatus, Workflow } from '@slipway/workflow';
import { failedNodes, type FailedNode } from './failed-nodes.js';
import { cleanLogLine, escapeHtml, oneLine, safeHref } from './html.js';

export interface LogTailRef {
  node: NodeStatus;
  /** For a containerSet container: its container (else all of the pod's containers). */
  container?: string;
  /** How many lines are wanted. */
  lines: number;
}

export interface FailureAlertInput {
  /** The workflow in Argo's shape, with `status.nodes`. */
  workflow: Workflow;
  repo?: string;
  branch?: string;
  commit?: string;
  /** Who pushed the commit (name or user name). */
  pusher?: string;
  /** The last lines of a pod's log; a rejection becomes "log unavailable" in the e-mail. */
  logTail: (podName: string, ref: LogTailRef) => Promise<string[]>;
  /** The workflow in Slipway (e.g. `workflowLink(SLIPWAY_PUBLIC_URL, namespace, name)`). */
  link: string;
  /** Log lines per failed step (default 30). */
  tailLines?: number;
  /** Failed steps shown in detail (default 10); the rest are counted. */
  maxNodes?: number;
}

export interface AlertContent {
  subject: string;
  text: string;
  html: string;
}

interface NodeSection {
  failed: FailedNode;
  log: { lines: string[] } | { error: string } | undefined;
}

export async function buildFailureAlert(input: FailureAlertInput): Promise<AlertContent> {
  const { workflow } = input;
  const tailLines = input.tailLines ?? 30;
  const namespace = workflow.metadata.namespace ?? 'default';
  const name = workflow.metadata.name ?? '';
  const phase = workflow.status?.phase ?? 'Failed';
  const message = workflow.status?.message;
  const all = failedNodes(workflow);
  const shown = all.slice(0, input.maxNodes ?? 10);
  const sections: NodeSection[] = await Promise.all(shown.map((failed) => readLog(failed, input.logTail, tailLines)));

  const origin = input.repo ? ` (${input.repo}${input.branch ? `, ${input.branch}` : ''})` : input.branch ? ` (${input.branch})` : '';
  const subject = oneLine(`[Slipway] ${phase}: ${namespace}/${name}${origin}`, 180);
  const facts: [string, string][] = [];
  if (input.repo) facts.push(['Repository', input.repo]);
  if (input.branch) facts.push(['Branch', input.branch]);
  if (input.commit) facts.push(['Commit', input.commit]);
  if (input.pusher) facts.push(['Pushed by', input.pusher]);
  facts.push(['Started', workflow.status?.startedAt ?? '-']);
  facts.push(['Finished', workflow.status?.finishedAt ?? '-']);
  const more = all.length - shown.length;

  return {
    subject,
    text: renderText({ namespace, name, phase, message, facts, sections, more, total: all.length, link: input.link, tailLines }),
    html: renderHtml({ namespace, name, phase, message, facts, sections, more, total: all.length, link: input.link, tailLines }),
  };
}

async function readLog(failed: FailedNode, logTail: FailureAlertInput['logTail'], lines: number): Promise<NodeSection> {
  if (!failed.podName) return { failed, log: undefined };
  try {
    const raw = await logTail(failed.podName, { node: failed.node, container: failed.container, lines });
    const split = raw.flatMap((l) => l.split('\n'));
    if (split.at(-1) === '') split.pop();
    return { failed, log: { lines: split.slice(-lines).map((l) => cleanLogLine(l)) } };
  } catch (err) {
    return { failed, log: { error: oneLine((err as Error).message ?? String(err)) } };
  }
}

interface RenderInput {
  namespace: string;
  name: string;
  phase: string;
  message?: string;
  facts: [string, string][];
  sections: NodeSection[];
  more: number;
  total: number;
  link: string;
  tailLines: number;
}

function headline(s: NodeSection): string {
  const { node, exitCode } = s.failed;
  return `${node.displayName || node.name} — ${node.phase}${exitCode !== undefined ? ` (exit code ${exitCode})` : ''}`;
}

function details(s: NodeSection): [string, string][] {
  const { node, template, attempt, container } = s.failed;
  const rows: [string, string][] = [];
  if (template) rows.push(['Template', template]);
  rows.push(['Node', node.name]);
  if (container) rows.push(['Container', container]);
  if (attempt) rows.push(['Attempt', `${attempt.index} of ${attempt.of}`]);
  if (node.message) rows.push(['Message', node.message]);
  return rows;
}

function logCaption(s: NodeSection, tailLines: number): string {
  const shown = s.log && 'lines' in s.log ? s.log.lines.length : 0;
  const what = shown >= tailLines ? `Last ${tailLines} lines of the log` : 'The log';
  return `${what} (pod ${s.failed.podName}${s.failed.container ? `, container ${s.failed.container}` : ''}):`;
}

function renderText(r: RenderInput): string {
  const out: string[] = [`Workflow ${r.namespace}/${r.name} ended ${r.phase}.`];
  if (r.message) out.push(`Message: ${r.message}`);
  out.push('');
  const width = Math.max(...r.facts.map(([k]) => k.length)) + 1;
  for (const [k, v] of r.facts) out.push(`${`${k}:`.padEnd(width)} ${v}`);
  out.push('');
  out.push(r.total === 0 ? 'No failed step was recorded; see the message above.' : `Failed steps (${r.total}):`);
  for (const s of r.sections) {
    out.push('', `* ${headline(s)}`);
    const rows = details(s);
    const w = Math.max(...rows.map(([k]) => k.length)) + 1;
    for (const [k, v] of rows) out.push(`  ${`${k}:`.padEnd(w)} ${v}`);
    if (s.log && 'error' in s.log) out.push(`  Log unavailable: ${s.log.error}`);
    else if (s.log && s.log.lines.length === 0) out.push(`  (the pod ${s.failed.podName} wrote no log)`);
    else if (s.log) {
      out.push(`  ${logCaption(s, r.tailLines)}`);
      for (const line of s.log.lines) out.push(`  | ${line}`);
    }
  }
  if (r.more > 0) out.push('', `…and ${r.more} more failed step(s), see the workflow.`);
  out.push('', `Open the workflow: ${r.link}`, '', '-- ', 'Slipway sends this e-mail once per failed workflow.');
  return `${out.join('\n')}\n`;
}

const STYLE = {
  body: 'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328;line-height:1.4',
  key: 'text-align:left;padding:2px 12px 2px 0;color:#59636e;font-weight:normal;vertical-align:top',
  pre: 'background:#f6f8fa;border:1px solid #d1d9e0;border-radius:4px;padding:8px;font-size:12px;overflow:auto;white-space:pre-wrap',
  failed: 'color:#d1242f',
};

function table(rows: [string, string][]): string {
  const trs = rows.map(([k, v]) => `<tr><th style="${STYLE.key}">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`);
  return `<table style="border-collapse:collapse">${trs.join('')}</table>`;
}

function renderHtml(r: RenderInput): string {
  const out: string[] = [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(`${r.namespace}/${r.name} ${r.phase}`)}</title></head>`,
    `<body style="${STYLE.body}">`,
    `<h2>Workflow <code>${escapeHtml(`${r.namespace}/${r.name}`)}</code> ended <span style="${STYLE.failed}">${escapeHtml(r.phase)}</span></h2>`,
  ];
  if (r.message) out.push(`<p>${escapeHtml(r.message)}</p>`);
  out.push(table(r.facts));
  out.push(r.total === 0 ? '<p>No failed step was recorded; see the message above.</p>' : `<h3>Failed steps (${r.total})</h3>`);
  for (const s of r.sections) {
    out.push(`<h4 style="${STYLE.failed}">${escapeHtml(headline(s))}</h4>`, table(details(s)));
    if (s.log && 'error' in s.log) out.push(`<p>Log unavailable: ${escapeHtml(s.log.error)}</p>`);
    else if (s.log && s.log.lines.length === 0) out.push(`<p>(the pod ${escapeHtml(s.failed.podName ?? '')} wrote no log)</p>`);
    else if (s.log) {
      out.push(`<p>${escapeHtml(logCaption(s, r.tailLines))}</p>`, `<pre style="${STYLE.pre}">${escapeHtml(s.log.lines.join('\n'))}</pre>`);
    }
  }
  if (r.more > 0) out.push(`<p>…and ${r.more} more failed step(s), see the workflow.</p>`);
  const href = safeHref(r.link);
  out.push(href ? `<p><a href="${escapeHtml(href)}">Open the workflow in Slipway</a></p>` : `<p>Workflow: ${escapeHtml(r.link)}</p>`);
  out.push('<p style="color:#59636e;font-size:12px">Slipway sends this e-mail once per failed workflow.</p>', '</body></html>');
  return `${out.join('\n')}\n`;
}
