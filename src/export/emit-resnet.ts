/**
 * ResNet (src/models/backbones/resnet.ts) as ONNX: every conv with its batch norm folded in (the
 * same folding FrozenResNet uses for CPU inference), ReLU, the stem max pool, residual Adds.
 */
import { BasicBlock, Bottleneck, type ResNet } from "../models/backbones/resnet.ts";
import type { BatchNorm2d, Conv2d } from "../nn/index.ts";
import { emitConv } from "./emit-layers.ts";
import type { GraphBuilder } from "./onnx-graph.ts";

/** x [B,3,H,W] -> layer4 map [B,C,H/32,W/32]. */
export function emitResNetFeatures(g: GraphBuilder, x: string, net: ResNet, prefix = "backbone"): string {
  let out = g.node("Relu", [emitConv(g, x, net.conv1, net.bn1, `${prefix}.conv1`)]);
  out = g.node("MaxPool", [out], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  for (const [li, layer] of [net.layer1, net.layer2, net.layer3, net.layer4].entries()) {
    for (const [bi, block] of layer.items.entries()) {
      if (!(block instanceof BasicBlock || block instanceof Bottleneck)) throw new Error(`export: unexpected ResNet block ${block.constructor.name}`);
      const p = `${prefix}.layer${li + 1}.${bi}`;
      let y = g.node("Relu", [emitConv(g, out, block.conv1, block.bn1, `${p}.conv1`)]);
      y = emitConv(g, y, block.conv2, block.bn2, `${p}.conv2`);
      if (block instanceof Bottleneck) y = emitConv(g, g.node("Relu", [y]), block.conv3, block.bn3, `${p}.conv3`);
      const ds = block.downsample;
      const identity = ds ? emitConv(g, out, ds.items[0] as Conv2d, ds.items[1] as BatchNorm2d, `${p}.downsample`) : out;
      out = g.node("Relu", [g.node("Add", [y, identity])]);
    }
  }
  return out;
}

/** x [B,3,H,W] -> tokens [B, H/32*W/32, C] (token = h*W + w), as ResNet.forwardTokens. */
export function emitResNetTokens(g: GraphBuilder, x: string, net: ResNet, prefix = "backbone"): string {
  const f = emitResNetFeatures(g, x, net, prefix);
  const flat = g.node("Reshape", [f, g.ints([0, net.numFeatures, -1])]);
  return g.node("Transpose", [flat], { perm: [0, 2, 1] });
}
