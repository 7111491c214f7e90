/**
 * Initialisers with PyTorch's semantics (torch.nn.init), in place, under no-grad.
 * Random draws come from libtorch's generator, so `manualSeed` makes them reproducible.
 */
import { noGrad, type Tensor } from "../tensor/index.ts";

/** fan_in and fan_out as torch.nn.init computes them (dims 0, 1 and the receptive field). */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new RangeError(`fans: need a tensor with >= 2 dims, got [${t.shape}]`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** torch.nn.init.calculate_gain */
export function gain(nonlinearity: "linear" | "relu" | "leaky_relu" | "tanh" | "sigmoid", param = 0.01): number {
  switch (nonlinearity) {
    case "relu": return Math.SQRT2;
    case "leaky_relu": return Math.sqrt(2 / (1 + param * param));
    case "tanh": return 5 / 3;
    default: return 1;
  }
}

export function uniform_(t: Tensor, low = 0, high = 1): Tensor { noGrad(() => t.uniform_(low, high)); return t; }
export function normal_(t: Tensor, mean = 0, std = 1): Tensor { noGrad(() => t.normal_(mean, std)); return t; }
export function constant_(t: Tensor, value: number): Tensor { noGrad(() => t.fill_(value)); return t; }
export function zeros_(t: Tensor): Tensor { return constant_(t, 0); }
export function ones_(t: Tensor): Tensor { return constant_(t, 1); }

export interface KaimingOptions {
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: "relu" | "leaky_relu" | "linear";
}
/** U(-b, b), b = gain * sqrt(3 / fan). Linear and Conv use a = sqrt(5), leaky_relu (PyTorch's default init). */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  const fan = (o.mode ?? "fan_in") === "fan_in" ? fanIn : fanOut;
  const g = gain(o.nonlinearity ?? "leaky_relu", o.a ?? 0);
  const bound = g * Math.sqrt(3 / fan);
  return uniform_(t, -bound, bound);
}
/** N(0, std), std = gain / sqrt(fan). torchvision's ResNet uses mode fan_out, relu. */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  const fan = (o.mode ?? "fan_in") === "fan_in" ? fanIn : fanOut;
  const g = gain(o.nonlinearity ?? "leaky_relu", o.a ?? 0);
  return normal_(t, 0, g / Math.sqrt(fan));
}
/** U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, g = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = g * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}
/**
 * Normal(mean, std) truncated to [a, b] by inverse-CDF sampling, as torch.nn.init.trunc_normal_
 * (timm and Swin initialise linear layers with std 0.02).
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const cdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  const l = cdf((a - mean) / std);
  const u = cdf((b - mean) / std);
  noGrad(() => {
    t.uniform_(2 * l - 1, 2 * u - 1);
    // erfinv maps the uniform draw to a standard normal restricted to [a, b].
    const e = t.erfinv();
    t.copy_(e);
    e.dispose();
    t.mul_(std * Math.SQRT2).add_(mean).clamp_(a, b);
  });
  return t;
}

// Abramowitz-Stegun 7.1.26 is too coarse for the bounds; use a series that is exact to 1e-12.
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  if (ax > 6) return sign;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 200; n++) {
    term *= (-ax * ax) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-16) break;
  }
  return (sign * 2 * sum) / Math.sqrt(Math.PI);
}
