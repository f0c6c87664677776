// A heap: one SharedArrayBuffer holding the whole allocator state (design.md §1), and
// the typed views every module reads it through. The configuration is stored inside
// the buffer so a worker attaches with the buffer alone.
import { makeConfig, type Config, type ConfigInput } from './config.js';
import { CONFIG_MAX_BYTES, H, HEAP_MAGIC, Layout } from './layout.js';

export class Heap {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly L: Layout;

  constructor(readonly sab: SharedArrayBuffer, readonly cfg: Config) {
    this.L = new Layout(cfg);
    if (sab.byteLength < this.L.bytes) throw new Error('heap buffer is smaller than its layout');
    this.i32 = new Int32Array(sab);
    this.f64 = new Float64Array(sab);
  }
}

/** A fresh heap for `input` (knobs and variants; see config.ts). */
export function createHeap(input: ConfigInput = {}): Heap {
  const cfg = makeConfig(input);
  const json = new TextEncoder().encode(JSON.stringify(input));
  if (json.length > CONFIG_MAX_BYTES) throw new Error('configuration too large to store in the heap');
  const heap = new Heap(new SharedArrayBuffer(new Layout(cfg).bytes), cfg);
  const { i32, L } = heap;
  new Uint8Array(heap.sab, L.config * 4, json.length).set(json);
  i32[H.CONFIG_BYTES] = json.length;
  i32[H.NOW_MS] = 0;
  i32[H.NEXT_TRIM_MS] = cfg.idleTrimMs;
  i32[H.NEXT_TID] = 1;
  Atomics.store(i32, H.MAGIC, HEAP_MAGIC);
  return heap;
}

/** The heap whose state is `sab` (made by createHeap, possibly in another thread). */
export function attachHeap(sab: SharedArrayBuffer): Heap {
  if (Atomics.load(new Int32Array(sab), H.MAGIC) !== HEAP_MAGIC) throw new Error('not a slabcheck heap buffer');
  return new Heap(sab, makeConfig(storedInput(sab)));
}

/** The configuration input stored in the heap (what createHeap was given). */
export function heapInput(heap: Heap): ConfigInput {
  return storedInput(heap.sab);
}

// The layout puts the configuration right after the header, whatever the configuration.
function storedInput(sab: SharedArrayBuffer): ConfigInput {
  const length = new Int32Array(sab)[H.CONFIG_BYTES]!;
  const bytes = new Uint8Array(sab, H.WORDS * 4, length).slice();
  return JSON.parse(new TextDecoder().decode(bytes)) as ConfigInput;
}
