#!/usr/bin/env node
// Launcher kept in git so that npm can link the `slipway` bin before the build has run.
// V8's code cache on disk (Node ≥ 22.1) makes every later start-up load the modules faster.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/main.js');
