/**
 * What a fuzz target accepts as a parser's documented refusal: a plain Error (or the data layer's
 * DataFormatError) whose message names the input. Anything else, a TypeError, a RangeError (stack
 * overflow, failed allocation), a non-Error throw or a message that does not say which input, is
 * a finding and is rethrown for Jazzer.js (or the replay test) to report.
 */
import { DataFormatError } from "../src/data/issues.ts";

/** Returns when `err` is a clean refusal naming `source`; rethrows it otherwise. */
export function expectClean(err: unknown, source: string): void {
  const plain = err instanceof Error && (err.constructor === Error || err instanceof DataFormatError);
  if (plain && err.message.includes(source) && !err.message.includes("\n    at ")) return;
  throw err;
}

/** Runs `parse`, accepting a value or a clean refusal naming `source`. */
export async function parsedOrRefused(source: string, parse: () => unknown): Promise<void> {
  try {
    await parse();
  } catch (err) {
    expectClean(err, source);
  }
}
