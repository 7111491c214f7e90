/**
 * ResNet checkpoint naming. Our ResNet uses torchvision's names (conv1, bn1, layerN.M.convK/bnK,
 * layerN.0.downsample.0/1, fc). timm's ResNet class keeps exactly these attribute names for the
 * same blocks (its extra act/drop/pool modules hold no parameters), so timm's ResNet safetensors
 * (e.g. `timm/resnet50.a1_in1k`) load through the identity map; only the classifier may be dropped.
 * ME-GraphAU / AUNCE training checkpoints hold the backbone under `backbone.` (after `module.`).
 */
import type { KeyMap } from "./keymap.ts";

/** timm ResNet -> torchvision ResNet: the names are the same. */
export const TIMM_RESNET_TO_TORCHVISION: KeyMap = { name: "timm resnet -> torchvision resnet", rules: [], drop: [] };

/** Drops the ImageNet classifier (`fc.*`) so a backbone-only model loads strictly. */
export const RESNET_DROP_CLASSIFIER: KeyMap = { name: "resnet without fc", rules: [], drop: [/^fc\./] };
