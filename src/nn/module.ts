/**
 * Module: the base of every layer and model. Parameters, buffers and sub-modules are found from
 * the instance's fields in declaration order, so a field's name is its state-dict key (as in
 * PyTorch: `layer1.0.conv1.weight`). Declare fields in the order PyTorch registers them so that
 * state dicts list keys in the same order.
 */
import { noGrad, type Tensor } from "../tensor/index.ts";
import { ModuleBuffer, Parameter } from "./parameter.ts";

/** What `loadStateDict` found. */
export interface LoadReport {
  missing: string[];
  unexpected: string[];
  /** "key: expected [..], got [..]" */
  mismatched: string[];
}

export abstract class Module {
  /** Training mode (dropout, batch-norm statistics); set with train()/eval(). */
  training = true;

  /** Computes the module's output. */
  abstract forward(...inputs: any[]): any;

  /** Direct sub-modules with their names (fields that hold a Module). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) out.push([k, v]);
    return out;
  }

  /** This module's own parameters (not its children's). */
  ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [k, v] of Object.entries(this)) if (v instanceof Parameter) out.push([k, v]);
    return out;
  }

  /** This module's own buffers. */
  ownBuffers(): [string, ModuleBuffer][] {
    const out: [string, ModuleBuffer][] = [];
    for (const [k, v] of Object.entries(this)) if (v instanceof ModuleBuffer) out.push([k, v]);
    return out;
  }

  /** Every module in the tree, depth first, with dotted names ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k));
    return out;
  }

  /** All parameters with dotted names, in state-dict order. */
  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, p] of m.ownParameters()) out.push([prefix ? `${prefix}.${k}` : k, p]);
    }
    return out;
  }

  /** All buffers with dotted names. */
  namedBuffers(): [string, ModuleBuffer][] {
    const out: [string, ModuleBuffer][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, b] of m.ownBuffers()) out.push([prefix ? `${prefix}.${k}` : k, b]);
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order (per module: its
   * parameters, then its buffers, then its children). The values are the module's own tensors.
   */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      const name = (k: string) => (prefix ? `${prefix}.${k}` : k);
      for (const [k, p] of m.ownParameters()) out.set(name(k), p);
      for (const [k, b] of m.ownBuffers()) if (b.persistent) out.set(name(k), b);
    }
    return out;
  }

  /**
   * Copies values from `state` into this module's tensors (converting dtype when they differ).
   * Strict mode (the default) throws an Error listing missing, unexpected and mismatched keys
   * by name before changing anything; non-strict copies what matches and returns the report.
   */
  loadStateDict(state: Map<string, Tensor>, options: { strict?: boolean } = {}): LoadReport {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const report: LoadReport = { missing: [], unexpected: [], mismatched: [] };
    for (const k of own.keys()) if (!state.has(k)) report.missing.push(k);
    for (const [k, v] of state) {
      const target = own.get(k);
      if (!target) report.unexpected.push(k);
      else if (target.shape.join() !== v.shape.join()) report.mismatched.push(`${k}: expected [${target.shape}], got [${v.shape}]`);
    }
    const problems = report.missing.length + report.unexpected.length + report.mismatched.length;
    if (strict && problems > 0) {
      const parts = [
        report.missing.length ? `missing keys: ${report.missing.join(", ")}` : "",
        report.unexpected.length ? `unexpected keys: ${report.unexpected.join(", ")}` : "",
        report.mismatched.length ? `shape mismatches: ${report.mismatched.join("; ")}` : "",
      ].filter(Boolean);
      throw new Error(`loadStateDict: ${parts.join("; ")}`);
    }
    noGrad(() => {
      for (const [k, target] of own) {
        const v = state.get(k);
        if (!v || target.shape.join() !== v.shape.join()) continue;
        if (v.dtype === target.dtype) target.copy_(v);
        else {
          const c = v.to(target.dtype);
          target.copy_(c);
          c.dispose();
        }
      }
    });
    return report;
  }

  /** Sets training mode on this module and every sub-module. Returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (train(false)). */
  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Converts every parameter and buffer in place of its field: `fn` returns the new tensor (a
   * different dtype, device or memory layout). Call before creating an optimizer.
   */
  convert(fn: (t: Tensor) => Tensor): this {
    for (const [, m] of this.namedModules()) {
      const fields = m as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(fields)) {
        if (v instanceof Parameter) {
          const next = noGrad(() => fn(v));
          fields[k] = new Parameter(next, v.requiresGrad);
          v.dispose();
        } else if (v instanceof ModuleBuffer) {
          const next = noGrad(() => fn(v));
          fields[k] = new ModuleBuffer(next, v.persistent);
          v.dispose();
        }
      }
    }
    return this;
  }

  /** Moves parameters and buffers to a device ("cpu", "cuda:0"). */
  toDevice(device: string): this {
    return this.convert((t) => t.toDevice(device));
  }

  /**
   * Stores 4-D parameters (conv weights) channels-last, which lets libtorch's oneDNN kernels
   * run without layout conversions when inputs are channels-last too.
   */
  toChannelsLast(): this {
    return this.convert((t) => (t.ndim === 4 ? t.contiguous("channels_last") : t.clone()));
  }

  /** Releases every parameter and buffer now. The module is unusable afterwards. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }
}
