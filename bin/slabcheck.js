#!/usr/bin/env node
// Entry point of the `slabcheck` command: runs the compiled CLI (npm ci builds dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('slabcheck: dist/ is missing; run `npm run build` (npm ci does it for you)');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
