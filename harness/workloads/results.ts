// How a workload treats the allocator's results: an error is a failure of the run,
// except ENOMEM, which is how seed 003's run ends (the run stops and reports it).
import { E } from '../../impl/errors.js';
import { AllocatorError } from '../../impl/errors.js';
import { OutOfMemory } from './types.js';

/** `result` of a free (or any call returning 0 or an error). */
export function checked(result: number, address?: number): number {
  if (result < 0) throw new AllocatorError(result, address);
  return result;
}

/** The address malloc returned; ENOMEM stops the run, any other error fails it. */
export function mallocOrStop(result: number, thread: number): number {
  if (result === E.ENOMEM) throw new OutOfMemory(thread);
  return checked(result);
}
