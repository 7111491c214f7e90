import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { decodeImage, imageToTensor } from "../../src/face/image.ts";
import { fx } from "./helpers.ts";

test("decodeImage gives 8-bit RGB for grey, 16-bit and RGBA inputs", async () => {
  const src = sharp(fx("group2.jpg"));
  const ref = await decodeImage(fx("group2.jpg"));
  const variants = {
    gray: await src.clone().grayscale().png().toBuffer(),
    rgb16: await src.clone().toColourspace("rgb16").png().toBuffer(),
    rgba: await src.clone().ensureAlpha().png().toBuffer(),
  };
  for (const [name, buf] of Object.entries(variants)) {
    const im = await decodeImage(buf, name);
    assert.deepEqual([im.width, im.height, im.data.length], [480, 338, 480 * 338 * 3], name);
    if (name !== "gray") {
      let diff = 0;
      for (let i = 0; i < im.data.length; i++) diff = Math.max(diff, Math.abs(im.data[i] - ref.data[i]));
      assert.ok(diff <= 1, `${name}: max difference ${diff}`);
    } else assert.equal(im.data[300], im.data[301]); // grey -> R = G
  }
});

test("decodeImage names the input on failure; imageToTensor is [1,3,H,W] float 0..255", async () => {
  await assert.rejects(decodeImage(new Uint8Array([0xff, 0xd8, 0x00]), "broken.jpg"), /^Error: broken\.jpg: not a readable image/);
  const t = imageToTensor({ width: 2, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
  assert.deepEqual(t.shape, [1, 3, 1, 2]);
  assert.deepEqual(Array.from(t.data<"float32">()), [1, 4, 2, 5, 3, 6]);
  t.dispose();
});
