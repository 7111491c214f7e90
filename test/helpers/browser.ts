/**
 * Real-browser test support: Debian's chromium driven by playwright-core (no browser download),
 * the page served by scripts/web/serve.ts on a free port. `chromiumPath()` is null when chromium
 * is not installed (scripts/setup.mjs installs it); tests then skip, saying so.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type LaunchOptions } from "playwright-core";

/** The chromium executable, or null. */
export function chromiumPath(): string | null {
  for (const p of [process.env.AUNCE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (p && existsSync(p)) return p;
  return null;
}

/** Why the browser tests skip, or false when they can run. */
export function browserSkipReason(): string | false {
  return chromiumPath() ? false : "chromium is not installed (scripts/setup.mjs installs Debian's chromium as root; or set AUNCE_CHROMIUM)";
}

/** Headless chromium; `fakeCamera`: a .y4m file served as the camera. */
export async function launchChromium(opts: { fakeCamera?: string; args?: string[] } & Pick<LaunchOptions, "env"> = {}): Promise<Browser> {
  const args = ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-default-apps", "--disable-sync", ...(opts.args ?? [])];
  if (opts.fakeCamera) args.push("--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${opts.fakeCamera}`);
  return chromium.launch({ executablePath: chromiumPath()!, headless: true, args, env: opts.env });
}
