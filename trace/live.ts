// The trace's live pointers during a replay: trace pointer -> the model block serving it
// (0 for the pass-through large path), the trace thread that allocated it and its size.
// Typed arrays indexed through one Map, slots reused: memory follows the live set, not
// the trace's length.
export class LiveTable {
  private readonly index = new Map<number, number>();
  private addr = new Float64Array(1024);
  private size = new Float64Array(1024);
  private tid = new Int32Array(1024);
  private spare: number[] = [];

  has(ptr: number): boolean {
    return this.index.has(ptr);
  }

  /** The slot of `ptr`, or -1 when it is not live. */
  find(ptr: number): number {
    return this.index.get(ptr) ?? -1;
  }

  add(ptr: number, address: number, size: number, tid: number): void {
    let slot = this.spare.pop();
    if (slot === undefined) {
      slot = this.index.size;
      if (slot === this.addr.length) this.grow();
    }
    this.addr[slot] = address;
    this.size[slot] = size;
    this.tid[slot] = tid;
    this.index.set(ptr, slot);
  }

  remove(ptr: number, slot: number): void {
    this.index.delete(ptr);
    this.spare.push(slot);
  }

  addressAt(slot: number): number {
    return this.addr[slot]!;
  }

  sizeAt(slot: number): number {
    return this.size[slot]!;
  }

  tidAt(slot: number): number {
    return this.tid[slot]!;
  }

  /** The model addresses of every live block (the large path's are 0). */
  addresses(): number[] {
    return [...this.index.values()].map((slot) => this.addr[slot]!);
  }

  private grow(): void {
    const n = this.addr.length * 2;
    const grown = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.addr = grown(this.addr, (k) => new Float64Array(k));
    this.size = grown(this.size, (k) => new Float64Array(k));
    this.tid = grown(this.tid, (k) => new Int32Array(k));
  }
}
