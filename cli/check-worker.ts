// The worker that runs `slabcheck check` when stderr is a terminal (cli/interactive.ts):
// the property run happens here so that the main thread stays free to draw progress and
// to take Ctrl-C. Control words shared with it: [0] cases run so far, [1] 1 = stop.
import { parentPort, workerData } from 'node:worker_threads';
import { check, type CheckOptions } from '../properties/check.js';

const { options, control } = workerData as { options: CheckOptions; control: SharedArrayBuffer };
const words = new Int32Array(control);
const result = check({
  ...options,
  onProgress: (n) => Atomics.store(words, 0, n),
  stop: () => Atomics.load(words, 1) === 1,
});
parentPort!.postMessage(result);
