/**
 * Argo's node ids and pod names (pkg/apis/workflow/v1alpha1 Workflow.NodeID, workflow/util/pod_name.go):
 * the root node's id is the workflow name; every other id is `W-<fnv32a(nodeName)>`.
 */

const utf8 = new TextEncoder();

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Node names are nearly always ASCII, whose UTF-8 bytes are the char codes.
    if (code >= 0x80) return fnv32aBytes(utf8.encode(text));
    hash = Math.imul(hash ^ code, 0x01000193);
  }
  return hash >>> 0;
}

function fnv32aBytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
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
