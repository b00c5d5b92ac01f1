#!/usr/bin/env node
/**
 * Part of `npm run build`: compile the resident process spawner (spawner/slipway-spawner.c) now,
 * so no step start ever waits for the compiler. Without a C compiler this only warns: the
 * executor then compiles it on first use, or starts steps with Node's child_process.
 */
import { spawnerBinary } from '../dist/local/spawner/spawner-binary.js';

const binary = spawnerBinary();
if ('problem' in binary) console.warn(`@slipway/executors: resident spawner not built (${binary.problem}); steps will start with Node's child_process`);
