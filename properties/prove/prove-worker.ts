// A worker thread of a parallel prove (prove.ts Pool): explores the units it is given,
// one level at a time, and posts each result. Its heap buffer is its own (execute.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { exploreUnit } from './prove.js';

parentPort!.on('message', ({ level, index }: { level: number; index: number }) => {
  parentPort!.postMessage({ index, result: exploreUnit(workerData, level, index) });
});
