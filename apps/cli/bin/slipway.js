#!/usr/bin/env node
// Launcher kept in git so that npm can link the `slipway` bin before the build has run.
import '../dist/main.js';
