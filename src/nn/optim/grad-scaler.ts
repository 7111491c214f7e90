/**
 * Loss scaling for float16 mixed precision, with the semantics of `torch.amp.GradScaler`:
 * the loss is multiplied by `scale` before backward; before the optimizer step the gradients are
 * divided by it and checked; a step whose gradients hold an inf or NaN is skipped and the scale
 * backs off (x0.5); after `growthInterval` good steps in a row it grows (x2).
 *
 *   const l = scaler.scale(loss); l.backward();
 *   scaler.step(opt, params);   // unscale + check + step (or skip)
 *   scaler.update();
 *
 * bfloat16 has float32's exponent range and needs no scaler (as in PyTorch).
 */
import { noGrad, type Tensor } from "../../tensor/index.ts";
import type { Parameter } from "../parameter.ts";
import type { Optimizer } from "./optimizer.ts";

export interface GradScalerOptions {
  /** 2^16, as torch */
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
  /** false: a pass-through (scale 1, never skips), so one code path serves every precision */
  enabled?: boolean;
}

/** What `state()` returns and `load()` takes (torch's GradScaler.state_dict keys, camel-cased). */
export interface GradScalerState {
  scale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
  growthTracker: number;
}

export class GradScaler {
  readonly enabled: boolean;
  #scale: number;
  #growthFactor: number;
  #backoffFactor: number;
  #growthInterval: number;
  #tracker = 0;
  /** null until step(); then whether that step's gradients were non-finite (step skipped) */
  #foundInf: boolean | null = null;

  constructor(opts: GradScalerOptions = {}) {
    this.enabled = opts.enabled ?? true;
    this.#scale = opts.initScale ?? 2 ** 16;
    this.#growthFactor = opts.growthFactor ?? 2;
    this.#backoffFactor = opts.backoffFactor ?? 0.5;
    this.#growthInterval = opts.growthInterval ?? 2000;
    if (!(this.#scale > 0) || !(this.#growthFactor > 1) || !(this.#backoffFactor > 0 && this.#backoffFactor < 1) ||
      !(Number.isInteger(this.#growthInterval) && this.#growthInterval > 0)) {
      throw new RangeError("GradScaler: need initScale > 0, growthFactor > 1, backoffFactor in (0, 1), an integer growthInterval > 0");
    }
  }

  /** The current scale (1 when disabled). */
  get scaleValue(): number {
    return this.enabled ? this.#scale : 1;
  }
  /** Whether the last step() was skipped for non-finite gradients. */
  get skipped(): boolean {
    return this.#foundInf === true;
  }

  /** loss * scale (a new tensor; the caller disposes it). */
  scale(loss: Tensor): Tensor {
    return loss.mul(this.scaleValue);
  }

  /**
   * Divides the gradients by the scale in place and reports whether any is inf/NaN. One host
   * sync for the whole model: the gradients' absolute sums are added up on the device and read once.
   */
  unscale(params: readonly Parameter[]): boolean {
    const inv = 1 / this.scaleValue;
    let total = 0;
    noGrad(() => {
      let acc: Tensor | null = null;
      for (const p of params) {
        const g = p.grad;
        if (!g) continue;
        if (this.enabled) g.mul_(inv);
        const s = g.abs().sum();
        const next: Tensor = acc ? acc.add(s) : s;
        if (acc) {
          acc.dispose();
          s.dispose();
        }
        acc = next;
        g.dispose();
      }
      if (acc) {
        total = Number(acc.item());
        acc.dispose();
      }
    });
    return !Number.isFinite(total);
  }

  /** Unscales, then steps the optimizer unless a gradient is non-finite. Returns whether it stepped. */
  step(opt: Optimizer, params: readonly Parameter[]): boolean {
    if (!this.enabled) {
      // nothing to unscale or check: no pass over the gradients, no host sync
      this.#foundInf = false;
      opt.step();
      return true;
    }
    this.#foundInf = this.unscale(params);
    if (this.#foundInf) return false;
    opt.step();
    return true;
  }

  /** Backs off after a skipped step, grows after growthInterval good ones (no-op when disabled). */
  update(): void {
    if (!this.enabled) return;
    if (this.#foundInf === null) throw new Error("GradScaler.update: call step() first");
    if (this.#foundInf) {
      this.#scale *= this.#backoffFactor;
      this.#tracker = 0;
    } else if (++this.#tracker === this.#growthInterval) {
      this.#scale *= this.#growthFactor;
      this.#tracker = 0;
    }
    this.#foundInf = null;
  }

  state(): GradScalerState {
    return { scale: this.#scale, growthFactor: this.#growthFactor, backoffFactor: this.#backoffFactor, growthInterval: this.#growthInterval, growthTracker: this.#tracker };
  }
  load(s: GradScalerState): void {
    if (!(s.scale > 0) || !Number.isInteger(s.growthTracker) || s.growthTracker < 0) throw new RangeError(`GradScaler.load: bad state ${JSON.stringify(s)}`);
    this.#scale = s.scale;
    this.#growthFactor = s.growthFactor;
    this.#backoffFactor = s.backoffFactor;
    this.#growthInterval = s.growthInterval;
    this.#tracker = s.growthTracker;
  }
}
