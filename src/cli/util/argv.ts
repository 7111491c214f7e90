/** The argv the CLI's `run` was called with (a launcher passes it on to the workers it starts). */
let current: readonly string[] = [];

export function setCliArgv(argv: readonly string[]): void {
  current = [...argv];
}
export function cliArgv(): readonly string[] {
  return current;
}
