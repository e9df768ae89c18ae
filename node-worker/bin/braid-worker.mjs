#!/usr/bin/env node
// A standalone Node worker: `node bin/braid-worker.mjs --connect HOST:PORT --pool NAME
// --token-file F [--tls-ca F] [--max-in-flight N] [--preload FILE]...` (see src/standalone.mjs).
import '../src/main.mjs';
