// exit(): the thread drains its cache, orphans its slabs and ends (no operation of it runs after).
import { exitOp } from '../../impl/allocator/allocator.js';
import { plainOp } from './plain.js';

export const exit = plainOp({ kind: 'exit', summary: 'the thread drains and exits; its slabs are orphaned', weight: 1, decision: 'drain', endsThread: true, run: exitOp });
