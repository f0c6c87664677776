// Loaded with `node --import` by scripts/test.mjs for each test file: test files that
// import 'uvu' get scripts/uvu-named.mjs instead (same API, tests announce their names).
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const named = new URL('./uvu-named.mjs', import.meta.url).href;

if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, next) {
  if (specifier === 'uvu' && context.parentURL !== undefined && /\.test\.js$|\.fixture\.js$/.test(context.parentURL)) return { url: named, shortCircuit: true };
  return next(specifier, context);
}
