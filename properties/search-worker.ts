// A worker thread of parallel checks (search.ts): for each search it is sent, rebuilds the
// run's case arbitrary from the same options and takes blocks of cases until none is left
// before the first failure; then waits for the next search. Its heap buffer is its own
// (execute.ts keeps one per thread).
import { parentPort } from 'node:worker_threads';
import { checkCases } from './check.js';
import { workBlocks, type Shared } from './search.js';

parentPort!.on('message', (d: Shared & { scope: Parameters<typeof checkCases>[0] }) => workBlocks(checkCases(d.scope), d));
