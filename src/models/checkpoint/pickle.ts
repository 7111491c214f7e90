/**
 * A restricted pickle reader (protocols 0-5, the opcodes torch.save and plain Python containers
 * emit). It never runs code: every GLOBAL goes through the caller's `findGlobal`, which returns a
 * JS stand-in or throws, and REDUCE may only call those stand-ins. Opcodes that build arbitrary
 * objects (INST, OBJ, NEWOBJ, EXT, out-of-band buffers) are refused.
 *
 * Python values map to: None -> null, bool -> boolean, int -> number (bigint beyond 2^53), float ->
 * number, str -> string, bytes/bytearray -> Uint8Array, list -> array, tuple -> frozen array,
 * dict -> Map, set/frozenset -> Set.
 */

/** A Python callable the policy allows; REDUCE calls `call` with the pickled argument tuple. */
export class PickleCallable {
  constructor(
    readonly qualname: string,
    readonly call: (args: readonly unknown[]) => unknown,
  ) {}
}

/** What the caller decides for each pickled global and persistent id. */
export interface UnpicklePolicy {
  /** Returns a stand-in for `module.name` or throws an Error naming it. */
  findGlobal(module: string, name: string): unknown;
  /** Resolves a persistent id (torch: storage references). */
  persistentLoad(pid: unknown): unknown;
}

/**
 * A short display of a decoded value for messages and key paths: scalars as themselves (long ones
 * cut), containers by kind only. Never String(x) on a container: memo sharing lets a few hundred
 * bytes of pickle name a tuple tree whose string form is exponentially long.
 */
export function brief(x: unknown): string {
  if (typeof x === "string") return x.length > 80 ? `${x.slice(0, 80)}...` : x;
  if (typeof x === "number" || typeof x === "boolean") return String(x);
  if (typeof x === "bigint") return x >= -(10n ** 40n) && x <= 10n ** 40n ? x.toString() : "<big int>";
  if (x === null || x === undefined) return "None";
  if (Array.isArray(x)) return Object.isFrozen(x) ? "<tuple>" : "<list>";
  if (x instanceof Map) return "<dict>";
  if (x instanceof Set) return "<set>";
  if (x instanceof Uint8Array) return `<${x.byteLength} bytes>`;
  return `<${(x as object).constructor?.name ?? "object"}>`;
}

/** True when `x` is a decoded Python tuple (a frozen array). */
export function isTuple(x: unknown): x is readonly unknown[] {
  return Array.isArray(x) && Object.isFrozen(x);
}

/** Python refuses int literals over 4300 digits (sys.int_info.default_max_str_digits); so do we. */
export const MAX_INT_DIGITS = 4300;
/** Longest LONG1/LONG4 integer, in bytes (torch pickles hold at most 8-byte ints). */
export const MAX_INT_BYTES = 4096;
/** Deepest MARK nesting (each list/tuple/dict built with MARK opens one). */
export const MAX_MARK_DEPTH = 1000;

/**
 * Decodes one pickle starting at `start` and returns its value and the offset just past STOP
 * (legacy torch files hold several pickles back to back). `source` names the stream in errors.
 */
export function unpickle(bytes: Uint8Array, policy: UnpicklePolicy, source: string, start = 0): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.byteLength) fail(`truncated pickle (wanted ${n} bytes at byte ${pos})`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => bytes[need(1)];
  const u16 = () => view.getUint16(need(2), true);
  const i32 = () => view.getInt32(need(4), true);
  const u32 = () => view.getUint32(need(4), true);
  const u64 = () => {
    const v = view.getBigUint64(need(8), true);
    if (v > BigInt(bytes.byteLength)) fail(`length ${v} at byte ${pos - 8} exceeds the pickle size`);
    return Number(v);
  };
  const raw = (n: number) => bytes.subarray(need(n), pos);
  const utf8 = (n: number) => Buffer.from(raw(n)).toString("utf8");
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) fail(`unterminated text field at byte ${pos}`);
    const s = Buffer.from(bytes.subarray(pos, nl)).toString("latin1");
    pos = nl + 1;
    return s;
  };
  // Note: never write `stack.push(popMark())`: `stack` is read before popMark swaps it back.
  const pop = (): unknown => {
    if (stack.length === 0) fail(`stack underflow at byte ${pos - 1}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail(`empty stack at byte ${pos - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (!prev) fail(`MARK expected at byte ${pos - 1}`);
    stack = prev!;
    return items;
  };
  const intFromBytes = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    if (b.length > MAX_INT_BYTES) fail(`integer of ${b.length} bytes at byte ${pos - b.length} is over the ${MAX_INT_BYTES}-byte limit`);
    // Little-endian two's complement; via one hex string (linear, where shifting byte by byte is quadratic).
    let v = BigInt(`0x${Buffer.from(b).reverse().toString("hex")}`);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const parseIntText = (s: string): number | bigint => {
    const t = s.endsWith("L") ? s.slice(0, -1) : s;
    if (t.length > MAX_INT_DIGITS) fail(`integer literal of ${t.length} digits is over the ${MAX_INT_DIGITS}-digit limit`);
    if (!/^[-+]?\d+$/.test(t)) fail(`bad integer literal ${JSON.stringify(s)}`);
    const v = BigInt(t);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const tuple = (items: unknown[]) => Object.freeze(items);
  const setItems = (d: unknown, items: unknown[]) => {
    if (!(d instanceof Map)) fail(`SETITEM(S) on a non-dict at byte ${pos - 1}`);
    if (items.length % 2) fail(`odd number of dict items at byte ${pos - 1}`);
    for (let i = 0; i < items.length; i += 2) (d as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const global = (module: string, name: string) => policy.findGlobal(module, name);

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: {
        const proto = u8();
        if (proto > 5) fail(`unsupported pickle protocol ${proto}`);
        break;
      }
      case 0x95: // FRAME: a length hint only
        need(8);
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        if (metastack.length >= MAX_MARK_DEPTH) fail(`MARKs nested deeper than ${MAX_MARK_DEPTH} at byte ${at}`);
        metastack.push(stack);
        stack = [];
        break;
      case 0x29: stack.push(tuple([])); break; // EMPTY_TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x91: { const s = new Set(popMark()); stack.push(s); break; } // FROZENSET
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`ADDITEMS on a non-set at byte ${at}`);
        for (const x of items) (s as Set<unknown>).add(x);
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(k)) fail(`memo key ${k} missing at byte ${at}`);
        stack.push(memo.get(k));
        break;
      }
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x49: { // INT (protocol 0; "00"/"01" are False/True)
        const s = line();
        stack.push(s === "00" ? false : s === "01" ? true : parseIntText(s));
        break;
      }
      case 0x4c: stack.push(parseIntText(line())); break; // LONG
      case 0x8a: stack.push(intFromBytes(raw(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0) fail(`negative LONG4 length at byte ${at}`);
        stack.push(intFromBytes(raw(n)));
        break;
      }
      case 0x47: stack.push(view.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x46: stack.push(Number(line())); break; // FLOAT
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x58: stack.push(utf8(u32())); break; // BINUNICODE
      case 0x8c: stack.push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8(u64())); break; // BINUNICODE8
      case 0x56: // UNICODE (raw-unicode-escape)
        stack.push(line().replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
        break;
      case 0x53: { // STRING: a quoted Python literal
        const s = line();
        if (s.length < 2 || s[0] !== s[s.length - 1] || (s[0] !== "'" && s[0] !== '"')) fail(`bad STRING literal at byte ${at}`);
        stack.push(s.slice(1, -1));
        break;
      }
      case 0x54: { // BINSTRING (py2 str; torch.load decodes as utf-8)
        const n = i32();
        if (n < 0) fail(`negative BINSTRING length at byte ${at}`);
        stack.push(utf8(n));
        break;
      }
      case 0x55: stack.push(utf8(u8())); break; // SHORT_BINSTRING
      case 0x42: stack.push(raw(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(raw(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: case 0x96: stack.push(raw(u64()).slice()); break; // BINBYTES8, BYTEARRAY8
      case 0x74: { const t = tuple(popMark()); stack.push(t); break; } // TUPLE
      case 0x85: stack.push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(tuple([a, b, c])); break; } // TUPLE3
      case 0x6c: { const l = popMark(); stack.push(l); break; } // LIST
      case 0x61: { // APPEND
        const x = pop();
        const l = top();
        if (!Array.isArray(l) || Object.isFrozen(l)) fail(`APPEND on a non-list at byte ${at}`);
        (l as unknown[]).push(x);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const l = top();
        if (!Array.isArray(l) || Object.isFrozen(l)) fail(`APPENDS on a non-list at byte ${at}`);
        for (const x of items) (l as unknown[]).push(x); // not push(...items): spreading is capped by the call stack
        break;
      }
      case 0x64: { // DICT
        const d = new Map();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x63: { const module = line(); const name = line(); stack.push(global(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail(`STACK_GLOBAL needs two strings at byte ${at}`);
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PickleCallable)) fail(`REDUCE on a value that is not an allowed callable at byte ${at}`);
        if (!Array.isArray(args)) fail(`REDUCE arguments for '${(fn as PickleCallable).qualname}' are not a tuple`);
        stack.push((fn as PickleCallable).call(args as unknown[]));
        break;
      }
      case 0x62: { // BUILD: only dict state on a dict (OrderedDict._metadata of state dicts), kept aside
        const state = pop();
        const obj = top();
        if (obj instanceof Map && (state === null || state instanceof Map || isTuple(state))) {
          pickleState.set(obj, state);
          break;
        }
        fail(`BUILD (setting object state) is only allowed on dicts, at byte ${at}`);
        break;
      }
      case 0x51: stack.push(policy.persistentLoad(pop())); break; // BINPERSID
      case 0x50: stack.push(policy.persistentLoad(line())); break; // PERSID
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x69: { // INST: check the global first so the refusal names it
        const module = line();
        const name = line();
        global(module, name);
        fail(`opcode INST ('${module}.${name}') is not allowed`);
        break;
      }
      default: {
        const names: Record<number, string> = { 0x6f: "OBJ", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER" };
        fail(names[op] ? `opcode ${names[op]} at byte ${at} is not allowed` : `unknown pickle opcode 0x${op.toString(16).padStart(2, "0")} at byte ${at}`);
      }
    }
  }
}

/** State set by BUILD on dicts (e.g. an OrderedDict state dict's `_metadata`), by dict. */
export const pickleState = new WeakMap<object, unknown>();
