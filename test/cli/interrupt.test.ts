import assert from "node:assert/strict";
import { test } from "node:test";
import { interruptSignal } from "../../src/cli/util/interrupt.ts";

test("the first Ctrl-C aborts the signal and says what the command does before it stops", (t) => {
  const lines: string[] = [];
  t.mock.method(console, "error", (...args: unknown[]) => lines.push(args.join(" ")));
  const stop = interruptSignal("detect", "finishing the current frame and closing the output");
  try {
    assert.equal(stop.signal.aborted, false);
    process.emit("SIGINT", "SIGINT");
    assert.equal(stop.signal.aborted, true);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /detect: interrupted — finishing the current frame and closing the output \(Ctrl-C again to quit now\)/);
    assert.doesNotMatch(lines[0]!, /checkpoint/);
  } finally {
    stop.dispose();
  }
  assert.equal(process.listenerCount("SIGINT"), 0, "dispose removes the handler");
});
