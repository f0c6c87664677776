// A worker thread of a parallel check (search.ts): rebuilds the run's case arbitrary
// from the same options and takes blocks of cases until none is left before the first
// failure. Its heap buffer is its own (execute.ts keeps one per thread).
import { workerData } from 'node:worker_threads';
import { checkCases } from './check.js';
import { workBlocks } from './search.js';

workBlocks(checkCases(workerData.scope), workerData);
