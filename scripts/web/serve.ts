// `npm run web [-- --port N --models DIR --host H]`: builds and serves the aunce web page on this
// machine only (default http://127.0.0.1:8719/). Everything the page loads comes from here:
//   /             web/index.html, web/style.css, the bundled app (web/.build/app.js) and the
//                 library as one ESM file (/aunce-web.js)
//   /ort/*        onnxruntime-web's wasm runtime files (node_modules/onnxruntime-web/dist)
//   /models/*     the ONNX models and their JSON sidecar from --models DIR (what `aunce export
//                 --format onnx -o DIR` writes); the bundled YuNet face detector when DIR has none;
//                 geometry-au.json there, when present, is fused with the AU model
//   /config.json  which model files were found, for the page
// Headers: cross-origin isolation (COOP/COEP; wasm threads need SharedArrayBuffer) and a
// Content-Security-Policy that lets the page reach its own origin only.
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPage, root } from "./build.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm", ".onnx": "application/octet-stream",
  ".map": "application/json", ".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml",
};

/** The headers every response carries. */
export const SECURITY_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:; connect-src 'self' blob: data:; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-cache",
};

/** The model files the page looks for in the models folder (names `aunce export` writes). */
export const MODEL_FILES = { detector: "yunet_n_dynamic.onnx", landmarks: "landmarks68.onnx", au: "au-model.onnx", sidecar: "au-model.json" };
/** Optional model files: listed in /config.json only when present (geometry: a landmark-geometry AU model, e.g. assets/models/synthau-geometry-logistic.json, fused with the AU model). */
export const OPTIONAL_MODEL_FILES = { geometry: "geometry-au.json" };

interface ServeOptions {
  port?: number;
  host?: string;
  models?: string;
  appDir?: string;
}

function parseArgs(argv: string[]): Required<Omit<ServeOptions, "appDir">> {
  const o = { port: 8719, host: "127.0.0.1", models: join(root, "web", "models") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a}: missing value`);
      return v;
    };
    if (a === "--port") {
      const v = val();
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`--port: expected 0..65535, got '${v}'`);
      o.port = Number(v);
    } else if (a === "--host") o.host = val();
    else if (a === "--models") o.models = resolve(val());
    else throw new Error(`unknown option ${a} (known: --port N, --host H, --models DIR)`);
  }
  return o;
}

/** Maps a request path to a file under `base`, or null when it would leave it. */
function under(base: string, rel: string): string | null {
  const p = normalize(join(base, rel));
  return p === base || p.startsWith(base + sep) ? p : null;
}

/**
 * Starts the server; resolves to { url, close() } once listening. `models`: the folder served as
 * /models/; `appDir`: where the bundle is built (default web/.build).
 */
export async function startServer({ port = 8719, host = "127.0.0.1", models = join(root, "web", "models"), appDir }: ServeOptions = {}): Promise<{ url: string; close(): Promise<void> }> {
  const app = await buildPage(appDir);
  const ortDir = join(root, "node_modules", "onnxruntime-web", "dist");
  const bundledYunet = join(root, "assets", "yunet", MODEL_FILES.detector);
  const modelPath = (name: string): string | null => {
    const p = existsSync(models) ? under(models, name) : null;
    if (p && existsSync(p) && statSync(p).isFile()) return p;
    return name === MODEL_FILES.detector ? bundledYunet : null;
  };
  const config = () => {
    const found: Record<string, string | null> = {};
    for (const [key, name] of Object.entries(MODEL_FILES)) found[key] = modelPath(name) ? `/models/${name}` : null;
    for (const [key, name] of Object.entries(OPTIONAL_MODEL_FILES)) if (modelPath(name)) found[key] = `/models/${name}`;
    const extra = existsSync(models) ? readdirSync(models).filter((n) => /\.(onnx|json)$/.test(n)) : [];
    return { models: found, files: extra };
  };
  const files: Record<string, string> = {
    "/": join(root, "web", "index.html"),
    "/index.html": join(root, "web", "index.html"),
    "/style.css": join(root, "web", "style.css"),
    "/app.js": app,
    "/app.js.map": `${app}.map`,
    "/aunce-web.js": join(dirname(app), "aunce-web.js"),
    "/aunce-web.js.map": join(dirname(app), "aunce-web.js.map"),
  };
  const server = createServer((req, res) => {
    const send = (status: number, body: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": type });
      res.end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed");
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      return send(400, "bad request");
    }
    if (path === "/config.json") return send(200, JSON.stringify(config()), TYPES[".json"]);
    let file: string | null = files[path] ?? null;
    if (!file && path.startsWith("/ort/") && /^\/ort\/ort-wasm[\w.-]*\.(wasm|mjs)$/.test(path)) file = under(ortDir, path.slice(5));
    if (!file && path.startsWith("/models/")) file = modelPath(path.slice(8));
    if (!file || !existsSync(file) || !statSync(file).isFile()) return send(404, `not found: ${path}`);
    res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": statSync(file).size });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, bad) => {
    server.once("error", bad);
    server.listen(port, host, () => ok());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${addr.port}/`;
  return { url, close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`npm run web: ${(err as Error).message}`);
    process.exit(2);
  }
  const { url } = await startServer(opts);
  const c = existsSync(opts.models) ? "" : ` (no ${opts.models}: only the face detector is served; make the models with aunce export --format onnx -o ${opts.models})`;
  console.log(`aunce web page: ${url}  models from ${opts.models}${c}  (Ctrl+C stops)`);
}
