/**
 * `npm run bench`: runs every bench/<area>.ts that exports `run()`, in name order
 * (`npm run bench -- data` runs only the named areas).
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const areas = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.slice(0, -3))
  .filter((a) => only.length === 0 || only.includes(a))
  .sort();
for (const area of areas) {
  const mod = (await import(pathToFileURL(dir + area + ".ts").href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== "function") continue;
  console.log(`# bench: ${area}`);
  await mod.run();
}
