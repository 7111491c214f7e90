/**
 * The allow-list that makes PyTorch pickles safe to read (the promise of
 * `torch.load(weights_only=True)`): tensor rebuilds, typed storages reached through persistent ids,
 * OrderedDict, torch.Size and plain containers. Every other global is refused by name before
 * anything is built, so a pickle that would call `os.system` fails at its GLOBAL opcode.
 */
import { PickleCallable, brief, isTuple, type UnpicklePolicy } from "./pickle.ts";
import { itemSize, isRawTensor, type RawDType, type RawTensor } from "./raw.ts";
import { gatherStrided } from "./strided.ts";

/** torch's legacy typed-storage classes and the dtype of their elements. */
export const STORAGE_DTYPES: Record<string, RawDType> = {
  FloatStorage: "float32",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  DoubleStorage: "float64",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
};

/** Protocol-2 pickles name some Python 3 modules by their Python 2 names; shown in refusals. */
const PY2_MODULES: Record<string, string> = { __builtin__: "builtins", commands: "subprocess", copy_reg: "copyreg" };

/** A pickled `torch.XStorage` class reference. */
export class StorageType {
  constructor(readonly qualname: string, readonly dtype: RawDType) {}
}

/** A storage resolved from a persistent id: its dtype and (little-endian) bytes. */
export class StorageRef {
  constructor(readonly key: string, readonly dtype: RawDType, readonly bytes: Uint8Array | null) {}
}

/** A pickled tensor type reference (`torch.Tensor`, `torch.nn.parameter.Parameter`), never called. */
class TensorTypeRef {
  constructor(readonly qualname: string) {}
}

/** Placeholder a dry run returns instead of a tensor (legacy files read storages after the pickle). */
export const PENDING_TENSOR = Object.freeze({ pending: true });

/** Loads the bytes of storage `key` of `dtype`, or null on a dry run. */
export type StorageLoader = (key: string, type: StorageType, location: string, pid: readonly unknown[]) => StorageRef;

function asInts(x: unknown, what: string, source: string): number[] {
  if (!Array.isArray(x) || !x.every((v) => typeof v === "number" && Number.isSafeInteger(v))) {
    throw new Error(`${source}: ${what} must be a tuple of integers, got ${describe(x)}`);
  }
  return x as number[];
}

function describe(x: unknown): string {
  if (x === null) return "None";
  if (Array.isArray(x)) return isTuple(x) ? "tuple" : "list";
  if (x instanceof Map) return "dict";
  if (x instanceof PickleCallable) return `'${x.qualname}'`;
  return typeof x;
}

/**
 * Builds the restricted policy for one torch pickle. `source` names it in errors (e.g.
 * "model.pth: archive/data.pkl"); `loadStorage` resolves `('storage', type, key, location, ...)`
 * persistent ids.
 */
export function torchPolicy(source: string, loadStorage: StorageLoader): UnpicklePolicy {
  const rebuild = (args: readonly unknown[], fn: string): RawTensor | typeof PENDING_TENSOR => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof StorageRef)) throw new Error(`${source}: ${fn} expects a storage, got ${describe(storage)}`);
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
      throw new Error(`${source}: ${fn} storage offset must be a non-negative integer`);
    }
    const shape = asInts(size, `${fn} size`, source);
    const strides = asInts(stride, `${fn} stride`, source);
    if (storage.bytes === null) return PENDING_TENSOR;
    const what = `${source}: tensor on storage '${storage.key}'`;
    const data = gatherStrided(storage.bytes, itemSize(storage.dtype), offset, shape, strides, what);
    return { dtype: storage.dtype, shape: [...shape], data };
  };
  const tensorArg = (x: unknown, fn: string) => {
    if (!isRawTensor(x) && x !== PENDING_TENSOR) throw new Error(`${source}: ${fn} expects a tensor, got ${describe(x)}`);
    return x;
  };

  const allowed = new Map<string, unknown>([
    ["torch._utils._rebuild_tensor_v2", new PickleCallable("torch._utils._rebuild_tensor_v2", (a) => rebuild(a, "_rebuild_tensor_v2"))],
    ["torch._utils._rebuild_tensor", new PickleCallable("torch._utils._rebuild_tensor", (a) => rebuild(a, "_rebuild_tensor"))],
    // nn.Parameter saved directly: keep its data; requires_grad and hooks mean nothing here.
    ["torch._utils._rebuild_parameter", new PickleCallable("torch._utils._rebuild_parameter", (a) => tensorArg(a[0], "_rebuild_parameter"))],
    ["torch._utils._rebuild_parameter_with_state", new PickleCallable("torch._utils._rebuild_parameter_with_state", (a) => tensorArg(a[0], "_rebuild_parameter_with_state"))],
    // Tensor subclasses / tensors with Python attributes: allowed only for the plain tensor types, and only
    // around another allowed rebuild (the callable was itself checked when its GLOBAL was read).
    [
      "torch._tensor._rebuild_from_type_v2",
      new PickleCallable("torch._tensor._rebuild_from_type_v2", (a) => {
        const [func, type, args] = a;
        if (!(func instanceof PickleCallable) || !(type instanceof TensorTypeRef) || !Array.isArray(args)) {
          throw new Error(`${source}: _rebuild_from_type_v2 accepts only an allowed rebuild of torch.Tensor or Parameter`);
        }
        return tensorArg(func.call(args), "_rebuild_from_type_v2");
      }),
    ],
    ["torch.Tensor", new TensorTypeRef("torch.Tensor")],
    ["torch.nn.parameter.Parameter", new TensorTypeRef("torch.nn.parameter.Parameter")],
    [
      "collections.OrderedDict",
      new PickleCallable("collections.OrderedDict", (a) => {
        const m = new Map<unknown, unknown>();
        if (a.length === 0) return m;
        if (a.length === 1 && Array.isArray(a[0])) {
          for (const pair of a[0] as unknown[]) {
            if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`${source}: OrderedDict expects (key, value) pairs`);
            m.set(pair[0], pair[1]);
          }
          return m;
        }
        throw new Error(`${source}: OrderedDict called with unexpected arguments`);
      }),
    ],
    ["torch.Size", new PickleCallable("torch.Size", (a) => Object.freeze([...asInts(a[0], "torch.Size", source)]))],
    // Protocol 2 pickles Python 3 bytes as _codecs.encode(text, 'latin1').
    [
      "_codecs.encode",
      new PickleCallable("_codecs.encode", (a) => {
        if (typeof a[0] !== "string" || (a[1] !== "latin1" && a[1] !== "latin-1")) {
          throw new Error(`${source}: _codecs.encode is allowed only as (str, 'latin1')`);
        }
        return new Uint8Array(Buffer.from(a[0], "latin1"));
      }),
    ],
  ]);
  for (const mod of ["builtins", "__builtin__"]) {
    for (const name of ["set", "frozenset"]) {
      allowed.set(`${mod}.${name}`, new PickleCallable(`${mod}.${name}`, (a) => new Set(Array.isArray(a[0]) ? (a[0] as unknown[]) : [])));
    }
  }
  for (const [name, dtype] of Object.entries(STORAGE_DTYPES)) {
    allowed.set(`torch.${name}`, new StorageType(`torch.${name}`, dtype));
  }

  return {
    findGlobal(module, name) {
      const qualname = `${module}.${name}`;
      const hit = allowed.get(qualname);
      if (hit !== undefined) return hit;
      if (module === "torch" && name.endsWith("Storage")) {
        throw new Error(`${source}: unsupported storage type '${qualname}' (supported: ${Object.keys(STORAGE_DTYPES).join(", ")})`);
      }
      const py3 = Object.hasOwn(PY2_MODULES, module) ? PY2_MODULES[module] : undefined; // not inherited names like "constructor"
      const alias = py3 ? ` (Python 3: '${py3}.${name}')` : "";
      throw new Error(`refused global '${qualname}'${alias} in ${source}: only tensor rebuilds and plain containers are allowed`);
    },
    persistentLoad(pid) {
      if (!isTuple(pid) || pid[0] !== "storage") {
        throw new Error(`${source}: unsupported persistent id ${describe(pid)}${Array.isArray(pid) ? ` '${brief(pid[0])}'` : ""} (only storages are allowed)`);
      }
      const [, type, key, location] = pid;
      if (!(type instanceof StorageType)) throw new Error(`${source}: storage id without a storage type`);
      if (typeof key !== "string" && typeof key !== "number") throw new Error(`${source}: storage key must be a string`);
      return loadStorage(String(key), type, brief(location), pid);
    },
  };
}
