// trim(): SuperSlabs with no active block go to the reserve, the LRU or back to the OS
// (seed 003 §1.1); TRIM-RESERVE and LRU-POLICY judge what it kept and freed.
import { trim as trimOp } from '../../impl/superslab/trim.js';
import { plainOp } from './plain.js';

export const trim = plainOp({ kind: 'trim', summary: 'trims empty SuperSlabs past the reserve', weight: 1, decision: 'trim', endsThread: false, run: trimOp });
