/**
 * Argo's node ids and pod names (pkg/apis/workflow/v1alpha1 Workflow.NodeID, workflow/util/pod_name.go):
 * the root node's id is the workflow name; every other id is `W-<fnv32a(nodeName)>`.
 */

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  const bytes = new TextEncoder().encode(text);
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function nodeId(workflowName: string, nodeName: string): string {
  if (nodeName === workflowName) return workflowName;
  return `${workflowName}-${fnv32a(nodeName)}`;
}

const MAX_K8S_NAME = 253;
const POD_NAME_PREFIX_MAX = MAX_K8S_NAME - 1 - 10; // room for "-<hash>"

/** Pod name v2: `W-<templateName>-<fnv32a(nodeName)>`, or `W` for the root node. */
export function podName(workflowName: string, nodeName: string, templateName: string): string {
  if (nodeName === workflowName) return workflowName;
  let prefix = templateName ? `${workflowName}-${templateName}` : workflowName;
  if (prefix.length > POD_NAME_PREFIX_MAX) prefix = prefix.slice(0, POD_NAME_PREFIX_MAX);
  return `${prefix}-${fnv32a(nodeName)}`;
}
