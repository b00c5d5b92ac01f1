import { fileURLToPath } from 'node:url';

/** `libs/gitops/bin` (the `slipway-gitops` and `slipway-image` entry points); the same relative place from src/ and dist/. */
export const GITOPS_BIN_DIR = fileURLToPath(new URL('../bin', import.meta.url));
