#!/usr/bin/env node
// `slipway-image` (kept in git so npm can link it before the build; the code is in dist/).
import { imageMain } from '../dist/cli/image-cli.js';

const io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env };
process.exitCode = imageMain(process.argv.slice(2), io);
