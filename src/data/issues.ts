/**
 * Malformed-input bookkeeping for `prepare`: every skipped row, frame or file is recorded with a
 * reason and a location. In strict mode the first one throws; otherwise they are counted and shown in
 * the summary, so nothing is dropped silently.
 */

/** Why input was skipped. `uncoded` (BP4D code 9) is policy, not an error: strict mode does not fail on it. */
export type IssueReason =
  | "bad-header"
  | "non-numeric"
  | "invalid-value"
  | "wrong-column-count"
  | "duplicate-frame"
  | "missing-label-file"
  | "image-without-label"
  | "label-without-image"
  | "unknown-subject"
  | "incomplete-labels"
  | "unrecognised-file";

/** One recorded problem: `frames` is how many frames it removed from the output. */
export interface Issue {
  reason: IssueReason;
  file: string;
  /** 1-based line number in `file`, when the problem is on a line. */
  line?: number;
  message: string;
  frames: number;
}

/** Thrown by strict mode (and for unusable input in any mode); the message starts with `file:line`. */
export class DataFormatError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "DataFormatError";
  }
}

/** `file:line` (or just `file`) for messages. */
export function where(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}

/** Collects issues; `strict` makes `report` throw a DataFormatError instead. */
export class IssueLog {
  readonly issues: Issue[] = [];
  readonly framesByReason = new Map<IssueReason, number>();
  readonly countByReason = new Map<IssueReason, number>();

  constructor(readonly strict: boolean) {}

  /** Records (or, when strict, throws) one problem that removed `frames` frames from the output. */
  report(reason: IssueReason, file: string, line: number | undefined, message: string, frames: number): void {
    const text = `${where(file, line)}: ${message}`;
    if (this.strict) throw new DataFormatError(`${text} (--strict)`, file, line);
    this.issues.push({ reason, file, line, message: text, frames });
    this.framesByReason.set(reason, (this.framesByReason.get(reason) ?? 0) + frames);
    this.countByReason.set(reason, (this.countByReason.get(reason) ?? 0) + 1);
  }

  /** Total frames removed by all recorded problems. */
  get skippedFrames(): number {
    let n = 0;
    for (const v of this.framesByReason.values()) n += v;
    return n;
  }
}
