// Export table of the native binding. Every export is listed once in src/native/binding.ts.
//   opNames()                    sync; -> string[]: op names, index = op id
//   op(id, ...args)              sync; runs libtorch op `id`; -> tensor | tensor[] | number | boolean | undefined
//                                throws Error/TypeError naming the op and describing every argument
//   fromBytes(view, shape, dtype[, device])  sync; copies raw little-endian bytes into a new tensor
//   NativeTensor, Optimizer      classes (see tensor.cc, optim.cc)
//   runtime functions            see runtime.cc
//   ProcessGroup, ncclAvailable  see dist.cc (c10d collectives)
#include "common.h"

#include <cstring>
#include <mutex>
#include <unordered_map>

namespace aunce {

struct OpEntry {
  std::string name;
  OpFn fn;
};
static std::vector<OpEntry>& registry() {
  static std::vector<OpEntry> ops;
  return ops;
}

void registerOp(const std::string& name, OpFn fn) { registry().push_back({name, std::move(fn)}); }

static void registerAllOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerMathOps();
    registerNnOps();
    registerShapeOps();
  });
}

static Napi::Value OpNames(const Napi::CallbackInfo& info) {
  auto& ops = registry();
  auto arr = Napi::Array::New(info.Env(), ops.size());
  for (size_t i = 0; i < ops.size(); i++) arr.Set(uint32_t(i), Napi::String::New(info.Env(), ops[i].name));
  return arr;
}

static Napi::Value Op(const Napi::CallbackInfo& info) {
  auto& ops = registry();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "op: first argument must be an op id");
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  if (id >= ops.size()) throw Napi::RangeError::New(info.Env(), "op: unknown op id " + std::to_string(id));
  const OpEntry& e = ops[id];
  Args args(info, 1, e.name);
  try {
    return e.fn(args);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& ex) {
    throw Napi::Error::New(info.Env(), e.name + ": " + shortError(ex) + " " + describeArgs(info, 1));
  }
}

static Napi::Value FromBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const std::string name = "fromBytes";
  Args a(info, 0, name);
  const uint8_t* src = nullptr;
  size_t len = 0;
  Napi::Value v = info.Length() > 0 ? info[0] : env.Undefined();
  if (!viewBytes(v, &src, &len)) {
    if (v.IsArrayBuffer()) {
      auto ab = v.As<Napi::ArrayBuffer>();
      src = static_cast<const uint8_t*>(ab.Data());
      len = ab.ByteLength();
    } else {
      a.fail(0, "a typed array, DataView or ArrayBuffer");
    }
  }
  std::vector<int64_t> shape = a.ints(1);
  for (auto s : shape) {
    if (s < 0) throw Napi::RangeError::New(env, "fromBytes: negative dimension in shape " + describeArgs(info, 1));
  }
  at::ScalarType dt = a.dtype(2);
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dt));
  size_t want = size_t(t.numel()) * t.element_size();
  if (want != len) {
    throw Napi::RangeError::New(env, "fromBytes: shape " + describeTensor(t) + " needs " + std::to_string(want) +
                                         " bytes, got " + std::to_string(len));
  }
  if (len) std::memcpy(t.data_ptr(), src, len);
  if (a.has(3)) {
    try {
      t = t.to(parseDevice(a.str(3)));
    } catch (const std::exception& ex) {
      throw Napi::Error::New(env, "fromBytes: " + shortError(ex));
    }
  }
  return TensorWrap::Wrap(env, t);
}

bool viewBytes(Napi::Value v, const uint8_t** data, size_t* len) {
  napi_env env = v.Env();
  void* p = nullptr;
  if (v.IsTypedArray()) {
    napi_typedarray_type type;
    size_t length = 0;
    if (napi_get_typedarray_info(env, v, &type, &length, &p, nullptr, nullptr) != napi_ok) return false;
    *data = static_cast<const uint8_t*>(p);
    *len = v.As<Napi::TypedArray>().ByteLength();
    return true;
  }
  if (v.IsDataView()) {
    size_t bytes = 0;
    if (napi_get_dataview_info(env, v, &bytes, &p, nullptr, nullptr) != napi_ok) return false;
    *data = static_cast<const uint8_t*>(p);
    *len = bytes;
    return true;
  }
  return false;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  registerAllOnce();
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  Napi::Function tensorCtor = TensorWrap::Define(env);
  data->tensorCtor = Napi::Persistent(tensorCtor);
  Napi::Function optimCtor = DefineOptimizer(env);
  data->optimizerCtor = Napi::Persistent(optimCtor);
  exports.Set("NativeTensor", tensorCtor);
  exports.Set("Optimizer", optimCtor);
  exports.Set("opNames", Napi::Function::New(env, OpNames, "opNames"));
  exports.Set("op", Napi::Function::New(env, Op, "op"));
  exports.Set("fromBytes", Napi::Function::New(env, FromBytes, "fromBytes"));
  InitRuntime(env, exports);
  InitDevice(env, exports);
  InitDist(env, exports);
  return exports;
}

}  // namespace aunce

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return aunce::Init(env, exports); }
NODE_API_MODULE(aunce, InitAddon)
