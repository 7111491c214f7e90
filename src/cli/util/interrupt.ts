/**
 * Ctrl-C handling for long commands: the first SIGINT asks the work to stop at the next safe
 * point (it saves and exits cleanly); a second one exits at once. `onStop` says what the command
 * does before it stops (training saves a checkpoint; detect finishes the frame and closes its output).
 */
export function interruptSignal(what: string, onStop: string): { signal: AbortSignal; dispose(): void } {
  const ctrl = new AbortController();
  const onSigint = () => {
    if (ctrl.signal.aborted) process.exit(130);
    console.error(`\n${what}: interrupted — ${onStop} (Ctrl-C again to quit now)`);
    ctrl.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: ctrl.signal, dispose: () => process.off("SIGINT", onSigint) };
}
