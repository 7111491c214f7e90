// A checkpoint trained on a face-api backbone (frozen) goes through every command that reads one:
// evaluate, detect --model, export (ONNX parity with the checkpoint's own predict()).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";
import { loadAuModelFromCheckpoint } from "../../src/face/au-model.ts";
import { AU_ONNX_IO } from "../../src/export/au-model.ts";
import { runCli } from "../helpers/cli.ts";
import { tinyPrepared } from "../helpers/tiny-dataset.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { maxAbsDiff, runOrt, seededInput } from "../export/helpers.ts";

let prepared: string;
before(async () => {
  prepared = await tinyPrepared();
});

describe("a faceapi_expression checkpoint", () => {
  it("trains frozen, evaluates, detects and exports (sidecar: network size, normalisation, origin)", async (t) => {
    const out = makeTempDir("aunce-cli-faceapi-");
    const s = await runCli(t, "train", "--dataset", "BP4D", "--data_root", prepared, "--fold", "1", "--out_dir", out, "--exp_name", "fa", "--supervised",
      "--backbone", "faceapi_expression", "--freeze_backbone", "--batch_size", "4", "--crop_size", "48", "--max_steps", "2", "--workers", "1", "--set", "lr=0.001");
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /supervised ME-GraphAU baseline: faceapi_expression \(face-api weights, frozen\), [\d,]+ parameters/);
    const ckpt = join(out, "fa", "last.safetensors");
    const e = await runCli(t, "evaluate", "--checkpoint", ckpt);
    assert.equal(e.code, 0, e.err);
    assert.match(e.out, /\| \*\*mean\*\* \| \*\*\d+\.\d\*\* \|/);
    const photo = fileURLToPath(new URL("../fixtures/face/synth/F001_T1_203.jpg", import.meta.url));
    const d = await runCli(t, "detect", "--no-progress", "--json", "-o", join(out, "faces.json"), "--model", ckpt, photo);
    assert.equal(d.code, 0, d.err);
    const faces = JSON.parse(readFileSync(join(out, "faces.json"), "utf8")) as { success: number; aus: Record<string, { probability: number }> }[];
    assert.equal(faces[0].success, 1);
    assert.equal(Object.keys(faces[0].aus).length, 12);
    const x = await runCli(t, "export", ckpt, "-o", join(out, "web"));
    assert.equal(x.code, 0, x.err);
    const side = JSON.parse(readFileSync(join(out, "web", "au-model.json"), "utf8"));
    assert.equal(side.inputSize, 224);
    assert.equal(side.networkInputSize, 48);
    assert.deepEqual(side.normalisation, { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] });
    assert.match(side.origin, /initialised from face-api's face expression net \(@vladmandic\/face-api 1\.7\.15, MIT/);
    const model = await loadAuModelFromCheckpoint(ckpt);
    const input = seededInput([2, 3, 224, 224], 5);
    const want = model.predict(input);
    const got = await runOrt(new Uint8Array(readFileSync(join(out, "web", "au-model.onnx"))), AU_ONNX_IO.input, input, AU_ONNX_IO.output);
    assert.ok(maxAbsDiff(got.data, want.data<"float32">()) <= 1e-4, `ONNX vs predict(): ${maxAbsDiff(got.data, want.data<"float32">())}`);
    input.dispose();
    want.dispose();
    model.dispose?.();
  });
});
