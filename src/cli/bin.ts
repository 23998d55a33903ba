#!/usr/bin/env node
// The installed `smime-bridge` command: npm links this file (bin link, npx, npm link, global
// install), so it needs no "am I the entry point" test. Everything else is in main.ts.
import '../platform/node-install.js'; // node:crypto and Buffer behind the platform interface
import { run } from './main.js';

void run(process.argv.slice(2));
