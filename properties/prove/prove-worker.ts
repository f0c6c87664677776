// A worker thread of a parallel prove (prove.ts Pool): explores the units it is given,
// one level at a time, and posts each result. Its heap buffer is its own (execute.ts).
// A configuration the run cannot hold (too few thread slots, too little memory) is bad input,
// not a bug: it goes back as such, for the command to answer with exit 2.
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '../../impl/config.js';
import { exploreUnit } from './prove.js';

parentPort!.on('message', ({ level, index, deadline }: { level: number; index: number; deadline: number }) => {
  try {
    parentPort!.postMessage({ index, result: exploreUnit(workerData, level, index, deadline) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    parentPort!.postMessage({ index, configError: { key: err.key, detail: err.detail } });
  }
});
