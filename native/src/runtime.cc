// Process-wide switches: seeds, threads, autograd mode, devices, build facts.
//   manualSeed(n)           sync; seeds libtorch's CPU (and CUDA) generators
//   setNumThreads(n)        sync; intra-op threads (Debian's build starts with 1)
//   getNumThreads()         sync; -> number
//   setGradEnabled(b)       sync; -> previous value (autograd mode is thread-local)
//   isGradEnabled()         sync; -> boolean
//   cudaAvailable()         sync; -> boolean (false when this libtorch has no CUDA)
//   cudaDeviceCount()       sync; -> number
//   mkldnnAvailable()       sync; -> boolean (oneDNN kernels compiled in)
//   version()               sync; -> libtorch version string
//   buildConfig()           sync; -> at::show_config() text (BLAS, OpenMP, CPU capability)
//   liveTensors()           sync; -> number of native tensor handles not yet released
//   getRngState()           sync; -> Uint8Array: the CPU generator's state (for exact resume)
//   setRngState(bytes)      sync; restores getRngState() output; throws on a malformed state
#include "common.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>

#include <cstring>

namespace aunce {

static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "manualSeed: expected an integer seed");
  double d = info[0].As<Napi::Number>().DoubleValue();
  if (d < 0) throw Napi::RangeError::New(info.Env(), "manualSeed: seed must be >= 0");
  uint64_t seed = uint64_t(d);
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  }
  if (at::hasCUDA()) {
    for (int i = 0; i < int(at::detail::getCUDAHooks().getNumGPUs()); i++) {
      // Context::defaultGenerator has the same signature from libtorch 1.13 through 2.x (the CUDA
      // hooks' own accessor was renamed in 2.x).
      auto gen = at::globalContext().defaultGenerator(at::Device(at::kCUDA, c10::DeviceIndex(i)));
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
  }
  return info.Env().Undefined();
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "setNumThreads: expected a number");
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1) throw Napi::RangeError::New(info.Env(), "setNumThreads: need at least 1 thread, got " + std::to_string(n));
  at::set_num_threads(n);
  return info.Env().Undefined();
}

static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(info.Length() > 0 && info[0].ToBoolean());
  return Napi::Boolean::New(info.Env(), prev);
}

static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

static Napi::Value CudaAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::hasCUDA() && at::detail::getCUDAHooks().getNumGPUs() > 0);
}

static Napi::Value MkldnnAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::hasMKLDNN());
}

static Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
}

static Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), TORCH_VERSION);
}

static Napi::Value BuildConfig(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), at::show_config());
}

static Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(liveTensorCount()));
}

static Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  at::Tensor st;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    st = gen.get_state();
  }
  return Napi::Buffer<uint8_t>::Copy(info.Env(), st.data_ptr<uint8_t>(), size_t(st.numel()));
}

static Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "setRngState: expected a Uint8Array");
  const uint8_t* p = nullptr;
  size_t len = 0;
  viewBytes(info[0], &p, &len);
  at::Tensor st = at::empty({int64_t(len)}, at::kByte);
  if (len) std::memcpy(st.data_ptr(), p, len);
  auto gen = at::detail::getDefaultCPUGenerator();
  try {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(st);
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), "setRngState: " + shortError(e));
  }
  return info.Env().Undefined();
}

void InitRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("getRngState", Napi::Function::New(env, GetRngState, "getRngState"));
  exports.Set("setRngState", Napi::Function::New(env, SetRngState, "setRngState"));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed, "manualSeed"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled, "setGradEnabled"));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled, "isGradEnabled"));
  exports.Set("cudaAvailable", Napi::Function::New(env, CudaAvailable, "cudaAvailable"));
  exports.Set("mkldnnAvailable", Napi::Function::New(env, MkldnnAvailable, "mkldnnAvailable"));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, CudaDeviceCount, "cudaDeviceCount"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("buildConfig", Napi::Function::New(env, BuildConfig, "buildConfig"));
  exports.Set("liveTensors", Napi::Function::New(env, LiveTensors, "liveTensors"));
}

}  // namespace aunce
