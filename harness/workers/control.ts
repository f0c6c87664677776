// The words the runner and its workers share besides the heap: a stop flag, and each
// worker's current allocator thread id and operation count, published as it goes, so
// that a worker that hangs can still be named. Layout: i32 [stop, workers, tid...],
// then f64 [ops...].
const STOP = 0;
const WORKERS = 1;
const TIDS = 2;

export class Control {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly opsAt: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.opsAt = Math.ceil((TIDS + this.i32[WORKERS]!) / 2);
  }

  static create(workers: number): Control {
    const buffer = new SharedArrayBuffer(8 * (Math.ceil((TIDS + workers) / 2) + workers));
    new Int32Array(buffer)[WORKERS] = workers;
    return new Control(buffer);
  }

  get stopped(): boolean {
    return Atomics.load(this.i32, STOP) !== 0;
  }

  stop(): void {
    Atomics.store(this.i32, STOP, 1);
    Atomics.notify(this.i32, STOP);
  }

  /** A word to sleep on while waiting for nothing in particular (wakes on stop). */
  get idle(): [Int32Array, number] {
    return [this.i32, STOP];
  }

  publish(worker: number, tid: number, ops: number): void {
    Atomics.store(this.i32, TIDS + worker, tid);
    this.f64[this.opsAt + worker] = ops;
  }

  tid(worker: number): number {
    return Atomics.load(this.i32, TIDS + worker);
  }

  ops(worker: number): number {
    return this.f64[this.opsAt + worker]!;
  }
}
