/**
 * A ResNet frozen for inference: every conv + batch norm pair folded into one FrozenConv2d
 * (src/nn/frozen.ts), activations kept in oneDNN's layout (or channels-last), ReLUs and residual
 * sums in place. Same outputs as `ResNet` in eval mode (to float32 rounding); a snapshot: later
 * changes to the source network's weights are not seen.
 */
import { adaptiveAvgPool2d, maxPool2d, noGrad, type Tensor } from "../../tensor/index.ts";
import { defaultFrozenLayout, FrozenConv2d, fromFrozenLayout, toFrozenLayout, type FrozenLayout } from "../../nn/index.ts";
import type { BatchNorm2d, Conv2d, Sequential } from "../../nn/index.ts";
import { BasicBlock, Bottleneck, type ResNet } from "./resnet.ts";

interface FrozenBlock {
  /** conv+bn stages of the branch; ReLU after each but the last. */
  convs: FrozenConv2d[];
  downsample: FrozenConv2d | null;
}

export class FrozenResNet {
  private readonly stem: FrozenConv2d;
  private readonly blocks: FrozenBlock[] = [];
  readonly numFeatures: number;
  private disposed = false;

  constructor(net: ResNet, readonly layout: FrozenLayout = defaultFrozenLayout()) {
    const fold = (c: Conv2d, bn: BatchNorm2d) => FrozenConv2d.from(c, bn, layout);
    this.stem = fold(net.conv1, net.bn1);
    for (const layer of [net.layer1, net.layer2, net.layer3, net.layer4]) {
      for (const block of layer.items) {
        if (!(block instanceof BasicBlock || block instanceof Bottleneck)) throw new Error(`FrozenResNet: unexpected block ${block.constructor.name}`);
        const convs = [fold(block.conv1, block.bn1), fold(block.conv2, block.bn2)];
        if (block instanceof Bottleneck) convs.push(fold(block.conv3, block.bn3));
        const ds: Sequential | null = block.downsample;
        this.blocks.push({ convs, downsample: ds ? fold(ds.items[0] as Conv2d, ds.items[1] as BatchNorm2d) : null });
      }
    }
    this.numFeatures = net.numFeatures;
  }

  /** x [B,3,H,W] float32 (strided) -> layer4 map [B,C,H/32,W/32] (strided), as ResNet.forwardFeatures in eval mode. */
  forwardFeatures(x: Tensor): Tensor {
    if (this.disposed) throw new Error("FrozenResNet: used after dispose()");
    return noGrad(() => {
      const inp = toFrozenLayout(x, this.layout);
      const s = this.stem.forward(inp).relu_();
      inp.dispose();
      let out = maxPool2d(s, 3, { stride: 2, padding: 1 });
      s.dispose();
      for (const b of this.blocks) {
        let y = out.alias();
        b.convs.forEach((c, i) => {
          const next = c.forward(y);
          y.dispose();
          y = i < b.convs.length - 1 ? next.relu_() : next;
        });
        const identity = b.downsample ? b.downsample.forward(out) : out;
        y.add_(identity).relu_();
        if (identity !== out) identity.dispose();
        out.dispose();
        out = y;
      }
      const dense = fromFrozenLayout(out, this.layout);
      out.dispose();
      return dense;
    });
  }

  /** x -> tokens [B, h*w, C], as ResNet.forwardTokens. */
  forwardTokens(x: Tensor): Tensor {
    const f = this.forwardFeatures(x);
    const [b, c] = f.shape;
    const flat = f.reshape([b, c, -1]);
    f.dispose();
    const t = flat.transpose(1, 2);
    flat.dispose();
    return t;
  }

  /** x -> globally average-pooled features [B, C]. */
  forwardPooled(x: Tensor): Tensor {
    const f = this.forwardFeatures(x);
    const p = adaptiveAvgPool2d(f, 1);
    f.dispose();
    const flat = p.flatten(1);
    p.dispose();
    return flat;
  }

  dispose(): void {
    if (this.disposed) return;
    this.stem.dispose();
    for (const b of this.blocks) {
      for (const c of b.convs) c.dispose();
      b.downsample?.dispose();
    }
    this.disposed = true;
  }
}
