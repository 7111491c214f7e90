// Tensor handles: a JS object owning one reference to an at::Tensor. dispose() drops the
// reference at once (deterministic release); the GC finaliser is only a safety net.
#include "common.h"

#include <atomic>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include <c10/core/GradMode.h>
#include <torch/version.h>

#define AUNCE_STR2(x) #x
#define AUNCE_STR(x) AUNCE_STR2(x)
#define TORCH_VERSION_STR AUNCE_STR(TORCH_VERSION_MAJOR) "." AUNCE_STR(TORCH_VERSION_MINOR) "." AUNCE_STR(TORCH_VERSION_PATCH)

namespace aunce {

static std::atomic<int64_t> gLiveTensors{0};
int64_t liveTensorCount() { return gLiveTensors.load(); }

// Random tag that marks our handles, so a foreign object is never mistaken for a tensor.
static const napi_type_tag kTensorTag = {0x6175636e65746e73ULL, 0x7465736f72746167ULL};

at::ScalarType parseDtype(const std::string& n) {
  if (n == "float32") return at::kFloat;
  if (n == "float64") return at::kDouble;
  if (n == "float16") return at::kHalf;
  if (n == "bfloat16") return at::kBFloat16;
  if (n == "int64") return at::kLong;
  if (n == "int32") return at::kInt;
  if (n == "int16") return at::kShort;
  if (n == "int8") return at::kChar;
  if (n == "uint8") return at::kByte;
  if (n == "bool") return at::kBool;
  throw std::invalid_argument("unknown dtype '" + n +
                              "' (expected float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8 or bool)");
}

const char* dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return "unsupported";
  }
}

at::Device parseDevice(const std::string& name) {
  if (name == "cpu") return at::Device(at::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    if (!at::hasCUDA()) {
      throw std::invalid_argument("device '" + name +
                                  "' requested but this engine has no CUDA (libtorch " TORCH_VERSION_STR
                                  " CPU). Build against a CUDA PyTorch: have `python3 -c 'import torch'` find a CUDA torch "
                                  "(pip install torch) or set LIBTORCH_DIR to a CUDA libtorch, then run `npm run setup`");
    }
    at::Device d(name);  // parses "cuda" and "cuda:N"
    int n = int(at::detail::getCUDAHooks().getNumGPUs());
    if (n == 0) throw std::invalid_argument("device '" + name + "' requested but no CUDA GPU is visible (CUDA_VISIBLE_DEVICES?)");
    if (d.has_index() && d.index() >= n) {
      throw std::invalid_argument("device '" + name + "' does not exist: this machine has " + std::to_string(n) + " GPU" +
                                  (n == 1 ? " (cuda:0)" : "s (cuda:0..cuda:" + std::to_string(n - 1) + ")"));
    }
    return d;
  }
  throw std::invalid_argument("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
}

std::string describeTensor(const at::Tensor& t) {
  std::ostringstream os;
  os << "[";
  for (int64_t i = 0; i < t.dim(); i++) os << (i ? "," : "") << t.size(i);
  os << "] " << dtypeName(t.scalar_type()) << " " << t.device().str();
  return os.str();
}

Napi::Function TensorWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeTensor",
                     {
                         InstanceMethod<&TensorWrap::Dispose>("dispose"),
                         InstanceMethod<&TensorWrap::IsDisposed>("isDisposed"),
                         InstanceMethod<&TensorWrap::Shape>("shape"),
                         InstanceMethod<&TensorWrap::Strides>("strides"),
                         InstanceMethod<&TensorWrap::Dtype>("dtype"),
                         InstanceMethod<&TensorWrap::Device>("device"),
                         InstanceMethod<&TensorWrap::Numel>("numel"),
                         InstanceMethod<&TensorWrap::RequiresGrad>("requiresGrad"),
                         InstanceMethod<&TensorWrap::SetRequiresGrad>("setRequiresGrad"),
                         InstanceMethod<&TensorWrap::Grad>("grad"),
                         InstanceMethod<&TensorWrap::SetGrad>("setGrad"),
                         InstanceMethod<&TensorWrap::Backward>("backward"),
                         InstanceMethod<&TensorWrap::Data>("data"),
                         InstanceMethod<&TensorWrap::Item>("item"),
                         InstanceMethod<&TensorWrap::IsContiguous>("isContiguous"),
                         InstanceMethod<&TensorWrap::StorageId>("storageId"),
                         InstanceMethod<&TensorWrap::IsLeaf>("isLeaf"),
                     });
}

Napi::Value TensorWrap::Wrap(Napi::Env env, at::Tensor t) {
  auto* data = env.GetInstanceData<AddonData>();
  return data->tensorCtor.New({Napi::External<at::Tensor>::New(env, &t)});
}

TensorWrap* TensorWrap::From(Napi::Value v) {
  if (!v.IsObject()) return nullptr;
  Napi::Object o = v.As<Napi::Object>();
  if (!o.CheckTypeTag(&kTensorTag)) return nullptr;
  return Napi::ObjectWrap<TensorWrap>::Unwrap(o);
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "NativeTensor cannot be constructed directly; use the tensor factories");
  }
  tensor_ = *info[0].As<Napi::External<at::Tensor>>().Data();
  alive_ = true;
  gLiveTensors++;
  info.This().As<Napi::Object>().TypeTag(&kTensorTag);
}

TensorWrap::~TensorWrap() { release(); }

void TensorWrap::release() {
  if (!alive_) return;
  alive_ = false;
  tensor_ = at::Tensor();
  gLiveTensors--;
}

const at::Tensor& TensorWrap::checked(const char* method) const {
  if (!alive_) throw Napi::Error::New(Env(), std::string("tensor.") + method + ": the tensor was disposed");
  return tensor_;
}

Napi::Value TensorWrap::Dispose(const Napi::CallbackInfo& info) {
  release();
  return info.Env().Undefined();
}

Napi::Value TensorWrap::IsDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !alive_); }

Napi::Value TensorWrap::Shape(const Napi::CallbackInfo& info) {
  const auto& t = checked("shape");
  auto arr = Napi::Array::New(info.Env(), t.dim());
  for (int64_t i = 0; i < t.dim(); i++) arr.Set(uint32_t(i), Napi::Number::New(info.Env(), double(t.size(i))));
  return arr;
}

Napi::Value TensorWrap::Strides(const Napi::CallbackInfo& info) {
  const auto& t = checked("strides");
  auto arr = Napi::Array::New(info.Env(), t.dim());
  for (int64_t i = 0; i < t.dim(); i++) arr.Set(uint32_t(i), Napi::Number::New(info.Env(), double(t.stride(i))));
  return arr;
}

Napi::Value TensorWrap::Dtype(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtypeName(checked("dtype").scalar_type()));
}

Napi::Value TensorWrap::Device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), checked("device").device().str());
}

Napi::Value TensorWrap::Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(checked("numel").numel()));
}

Napi::Value TensorWrap::RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), checked("requiresGrad").requires_grad());
}

Napi::Value TensorWrap::SetRequiresGrad(const Napi::CallbackInfo& info) {
  const auto& t = checked("setRequiresGrad");
  try {
    const_cast<at::Tensor&>(t).set_requires_grad(info[0].ToBoolean());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), "tensor.setRequiresGrad: " + shortError(e) + " (tensor " + describeTensor(t) + ")");
  }
  return info.Env().Undefined();
}

Napi::Value TensorWrap::Grad(const Napi::CallbackInfo& info) {
  const auto& g = checked("grad").grad();
  if (!g.defined()) return info.Env().Null();
  return Wrap(info.Env(), g);
}

Napi::Value TensorWrap::SetGrad(const Napi::CallbackInfo& info) {
  auto& t = const_cast<at::Tensor&>(checked("setGrad"));
  if (info.Length() < 1 || info[0].IsNull() || info[0].IsUndefined()) {
    t.mutable_grad() = at::Tensor();
  } else {
    TensorWrap* g = From(info[0]);
    if (!g || !g->alive_) throw Napi::TypeError::New(info.Env(), "tensor.setGrad: expected a live tensor or null");
    if (!g->tensor_.sizes().equals(t.sizes())) {
      throw Napi::Error::New(info.Env(), "tensor.setGrad: gradient " + describeTensor(g->tensor_) +
                                             " does not match tensor " + describeTensor(t));
    }
    t.mutable_grad() = g->tensor_;
  }
  return info.Env().Undefined();
}

Napi::Value TensorWrap::Backward(const Napi::CallbackInfo& info) {
  const auto& t = checked("backward");
  at::Tensor grad;
  if (info.Length() > 0 && !info[0].IsNull() && !info[0].IsUndefined()) {
    TensorWrap* g = From(info[0]);
    if (!g || !g->alive_) throw Napi::TypeError::New(info.Env(), "tensor.backward: gradient must be a live tensor or null");
    grad = g->tensor_;
  }
  bool retain = info.Length() > 1 && info[1].ToBoolean();
  try {
    t.backward(grad, retain);
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), "backward: " + shortError(e) + " (tensor " + describeTensor(t) + ")");
  }
  return info.Env().Undefined();
}

template <typename T>
static Napi::Value copyOut(Napi::Env env, const at::Tensor& src, napi_typedarray_type type) {
  size_t n = size_t(src.numel());
  auto ab = Napi::ArrayBuffer::New(env, n * sizeof(T));
  if (n) std::memcpy(ab.Data(), src.data_ptr(), n * sizeof(T));
  return Napi::TypedArrayOf<T>::New(env, n, ab, 0, type);
}

// data(): a copy of the values as a typed array of the natural JS type (float16/bfloat16 as raw
// Uint16 bits, bool as Uint8). A copy, not a view: later in-place ops must not change it.
Napi::Value TensorWrap::Data(const Napi::CallbackInfo& info) {
  const auto& t = checked("data");
  c10::NoGradGuard guard;
  at::Tensor c = t.detach().to(at::kCPU).contiguous();
  Napi::Env env = info.Env();
  switch (c.scalar_type()) {
    case at::kFloat: return copyOut<float>(env, c, napi_float32_array);
    case at::kDouble: return copyOut<double>(env, c, napi_float64_array);
    case at::kHalf:
    case at::kBFloat16: return copyOut<uint16_t>(env, c, napi_uint16_array);
    case at::kLong: return copyOut<int64_t>(env, c, napi_bigint64_array);
    case at::kInt: return copyOut<int32_t>(env, c, napi_int32_array);
    case at::kShort: return copyOut<int16_t>(env, c, napi_int16_array);
    case at::kChar: return copyOut<int8_t>(env, c, napi_int8_array);
    case at::kByte:
    case at::kBool: return copyOut<uint8_t>(env, c, napi_uint8_array);
    default: throw Napi::TypeError::New(env, "tensor.data: unsupported dtype");
  }
}

Napi::Value TensorWrap::Item(const Napi::CallbackInfo& info) {
  const auto& t = checked("item");
  if (t.numel() != 1) {
    throw Napi::RangeError::New(info.Env(), "tensor.item: expected a tensor with one element, got " + describeTensor(t));
  }
  if (t.scalar_type() == at::kBool) return Napi::Boolean::New(info.Env(), t.item<bool>());
  return Napi::Number::New(info.Env(), t.item<double>());
}

Napi::Value TensorWrap::IsContiguous(const Napi::CallbackInfo& info) {
  const auto& t = checked("isContiguous");
  at::MemoryFormat mf = at::MemoryFormat::Contiguous;
  if (info.Length() > 0 && info[0].IsString() && info[0].As<Napi::String>().Utf8Value() == "channels_last") {
    mf = at::MemoryFormat::ChannelsLast;
  }
  return Napi::Boolean::New(info.Env(), t.is_contiguous(mf));
}

// Address of the first element: equal ids mean two handles share memory (views, in-place ops).
Napi::Value TensorWrap::StorageId(const Napi::CallbackInfo& info) {
  const auto& t = checked("storageId");
  return Napi::Number::New(info.Env(), double(reinterpret_cast<uintptr_t>(t.storage().data())));
}

Napi::Value TensorWrap::IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), checked("isLeaf").is_leaf());
}

}  // namespace aunce
