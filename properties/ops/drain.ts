// drain(): the thread empties its TLS cache (seed 001); TLS-DRAIN judges the caches it empties.
import { drainOp } from '../../impl/allocator/allocator.js';
import { plainOp } from './plain.js';

export const drain = plainOp({ kind: 'drain', summary: "drains the thread's TLS cache", weight: 2, decision: 'drain', endsThread: false, run: drainOp });
