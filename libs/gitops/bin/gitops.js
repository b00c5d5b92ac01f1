#!/usr/bin/env node
// `slipway-gitops` (kept in git so npm can link it before the build; the code is in dist/).
import { gitopsMain } from '../dist/cli/gitops-cli.js';

const io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env };
process.exitCode = await gitopsMain(process.argv.slice(2), io);
