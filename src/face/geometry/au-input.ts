/** The AU model's input geometry and normalisation, without an engine (shared by Node and the browser). */

/** The spec's test-time input (aunce-spec §5): centre 224 of the 256 crop, CIFAR-style mean/std. */
export const AU_INPUT = {
  size: 224,
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.2023, 0.1994, 0.201],
} as const;
