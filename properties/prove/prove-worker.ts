// A worker thread of a parallel prove (prove.ts Pool): explores the units it is given, one
// level at a time, or runs the chunks of a serial search it is given, and posts each
// result. Its heap buffer is its own (execute.ts).
// A configuration the run cannot hold (too few thread slots, too little memory) is bad input,
// not a bug: it goes back as such, for the command to answer with exit 2.
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '../../impl/config.js';
import { exploreUnit, sequencesUnit } from './prove.js';
import type { Sequence } from './serial.js';

type Message =
  | { kind: 'unit'; level: number; index: number; deadline: number }
  | { kind: 'sequences'; id: number; depth: number; sequences: Sequence[] };

parentPort!.on('message', (m: Message) => {
  const reply = m.kind === 'unit' ? { index: m.index } : { id: m.id };
  try {
    parentPort!.postMessage(m.kind === 'unit'
      ? { ...reply, result: exploreUnit(workerData, m.level, m.index, m.deadline) }
      : { ...reply, results: sequencesUnit(workerData, m.depth, m.sequences) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    parentPort!.postMessage({ ...reply, configError: { key: err.key, detail: err.detail } });
  }
});
