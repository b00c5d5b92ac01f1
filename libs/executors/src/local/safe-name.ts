/** Workflow uids, pod, container and artifact names become file names: keep them plain. */
export const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
