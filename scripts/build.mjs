// Compiles every TypeScript source to dist/ (one file per source, ESM, source maps
// that c8 uses to report coverage against the .ts files), then the library's type
// declarations (.d.ts of properties/index.ts and what it imports, tsconfig.types.json):
// esbuild emits the JavaScript, tsc 7 only the declarations.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['impl', 'model', 'properties', 'viewer', 'cli', 'harness', 'bench', 'trace', 'test'];
const entryPoints = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) entryPoints.push(path);
  }
};
for (const root of roots) walk(root);

// DIST_DIR lets parallel sessions build side by side (default dist/).
const outdir = process.env.DIST_DIR ?? 'dist';
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints,
  outdir,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: true,
  logLevel: 'warning',
});
// the trace recorder's C sources, which `slabcheck trace record` compiles on first use
cpSync('trace/shim', join(outdir, 'trace', 'shim'), { recursive: true });

const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json', '--outDir', outdir], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
