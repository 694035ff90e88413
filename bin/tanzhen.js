#!/usr/bin/env node
import { existsSync } from 'node:fs';

const cli = new URL('../dist/launcher/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('tanzhen: not built yet; run `npm install` (or `npm run build`) in the tanzhen folder\n');
  process.exit(2);
}
await import(cli.href);
