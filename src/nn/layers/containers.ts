/** Containers: Sequential and ModuleList name their children "0", "1", ... as PyTorch does. */
import type { Tensor } from "../../tensor/index.ts";
import { Module } from "../module.ts";

export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[];
  constructor(modules: M[] = []) {
    super();
    this.items = [...modules];
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): M {
    const m = this.items[i < 0 ? this.items.length + i : i];
    if (!m) throw new RangeError(`ModuleList: index ${i} out of range (length ${this.items.length})`);
    return m;
  }
  push(m: M): void {
    this.items.push(m);
  }
  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
  override namedChildren(): [string, Module][] {
    return this.items.map((m, i) => [String(i), m]);
  }
  forward(..._inputs: any[]): any {
    throw new Error("ModuleList has no forward; iterate over its modules");
  }
}

/** Applies its modules in order; intermediate results are released as it goes. */
export class Sequential extends ModuleList {
  constructor(...modules: Module[]) {
    super(modules);
  }
  override forward(x: Tensor): Tensor {
    let cur = x;
    for (const m of this.items) {
      const next = m.forward(cur) as Tensor;
      if (cur !== x) cur.dispose();
      cur = next;
    }
    return cur === x ? x.alias() : cur;
  }
}
