// Size classes of the tiny allocator (seed 004_d59e0d336a26e3fe.txt §1.1, §3.2):
// C0–C6 have strides 8…512 (powers of two); C7 was "upgraded from 1024B" to 2048.
//
// Every block starts with a one-byte header 0xa0 | class (seed 004 §2: for class 6 the
// log shows `expect=0xa6`); the user pointer is block base + 1, so a class holds user
// sizes up to stride − 1. Seed 004 hints that the real code skips the header for C0
// and C7 ("restores header for classes 1-6"); this model gives every class a header so
// that the fast-path check is uniform, and says so here.

export const NUM_CLASSES = 8;
export const STRIDES: readonly number[] = [8, 16, 32, 64, 128, 256, 512, 2048];
/** lg of each stride (all powers of two): free's pointer check shifts instead of dividing. */
export const STRIDE_SHIFTS: readonly number[] = STRIDES.map(Math.log2);
export const HEADER_BYTES = 1;
export const HEADER_MAGIC = 0xa0;
/** The largest user size the tiny allocator serves (C7 stride minus its header). */
export const MAX_TINY_SIZE = 2048 - HEADER_BYTES;

// size → class lookup table, built once; classOfSize is on the fast path.
const CLASS_OF = new Int8Array(MAX_TINY_SIZE + 1);
for (let size = 0, cls = 0; size <= MAX_TINY_SIZE; size++) {
  while (size + HEADER_BYTES > STRIDES[cls]!) cls++;
  CLASS_OF[size] = cls;
}

/** Class serving a user request of `size` bytes, or -1 when it is not a tiny size. */
export function classOfSize(size: number): number {
  return Number.isInteger(size) && size >= 0 && size <= MAX_TINY_SIZE ? CLASS_OF[size]! : -1;
}

/** Blocks of `cls` that fit in `usableBytes` (seed 004 §3.2: capacity = usable / stride). */
export function capacityOf(cls: number, usableBytes: number): number {
  return Math.floor(usableBytes / STRIDES[cls]!);
}
