// A worker thread of zoo's pool (zoo-tasks.ts): runs the searches it is given, one at a time.
import { parentPort } from 'node:worker_threads';
import { runTask, type ZooTask } from './zoo-tasks.js';

parentPort!.on('message', async ({ i, task }: { i: number; task: ZooTask }) => parentPort!.postMessage({ i, outcome: await runTask(task) }));
