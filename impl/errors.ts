// Typed results of the public operations. The hot paths return numbers (an address,
// 0, or one of these negative codes) so that nothing is allocated per operation.
// A rejected free leaves the heap exactly as it was.

export const E = {
  /** mmap failed (mapping limit, address space or SuperSlab table exhausted) — seed 003 §5 */
  ENOMEM: -12,
  /** malloc of a size the tiny allocator does not serve */
  BAD_SIZE: -22,
  /** free of an address in no mapping */
  FREE_UNMAPPED: -101,
  /** free of an address that is mapped but is not an allocator block */
  FREE_FOREIGN: -102,
  /** free of an address inside a block, not at its start */
  FREE_INTERIOR: -103,
  /** free of a block that is not allocated: never handed out, or its slab emptied since */
  FREE_NEVER_ALLOCATED: -104,
  /** free of a block that is already free */
  FREE_DOUBLE: -105,
} as const;

const MESSAGES: Record<number, string> = {
  [E.ENOMEM]: 'out of memory: mmap failed (ENOMEM)',
  [E.BAD_SIZE]: 'size is not served by the tiny allocator (0..2047 bytes)',
  [E.FREE_UNMAPPED]: 'free of an unmapped address (wild pointer, or a legacy block freed twice)',
  [E.FREE_FOREIGN]: 'free of a mapped address that is not an allocator block',
  [E.FREE_INTERIOR]: 'free of an interior pointer (not the start of a block)',
  [E.FREE_NEVER_ALLOCATED]: 'free of a block that is not allocated (never handed out, or its slab was emptied since)',
  [E.FREE_DOUBLE]: 'double free (the block is already free)',
};

export function isError(result: number): boolean {
  return result < 0;
}

export function errorName(code: number): string {
  const entry = Object.entries(E).find(([, v]) => v === code);
  return entry === undefined ? `E${code}` : entry[0];
}

export function describeError(code: number): string {
  return MESSAGES[code] ?? `unknown error ${code}`;
}

export class AllocatorError extends Error {
  constructor(readonly code: number, readonly address?: number) {
    super(`${errorName(code)}: ${describeError(code)}${address === undefined ? '' : ` at 0x${address.toString(16)}`}`);
    this.name = 'AllocatorError';
  }
}
