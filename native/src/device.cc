// Accelerator facts and switches: GPUs, their memory, cuDNN/NCCL versions, cuDNN flags, CUDA
// generator states and autocast. Compiled against every engine: without AUNCE_WITH_CUDA (a CPU
// libtorch) the CUDA-only calls report "no CUDA" instead of failing to build.
//   cudaDevices()                 sync; -> [{ index, name, totalMemory, major, minor }]
//   cudaMemory(i)                 sync; -> { allocated, peakAllocated, reserved, peakReserved } bytes
//   cudaResetPeakMemory(i)        sync
//   cudaEmptyCache()              sync; returns cached blocks to the driver
//   cudaSynchronize(i)            sync; waits for device i's queued work
//   cudnnVersion()                sync; -> number (0 when this engine has no cuDNN)
//   ncclVersion()                 sync; -> number (0 when libnccl is not loaded)
//   setCudnn(deterministic, benchmark)   sync
//   getCudaRngState(i) / setCudaRngState(i, bytes)   sync; device i's generator (exact resume)
//   setAutocast(device, enabled, dtype)  sync; -> previous [enabled, dtype]; device "cpu"|"cuda"
//   autocastNesting(delta)        sync; +1 on entering an autocast region, -1 on leaving (clears
//                                 the cast cache when the outermost region ends, as torch.autocast)
#include "common.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <dlfcn.h>

#include <cstring>

#ifdef AUNCE_WITH_CUDA
// Only c10's CUDA headers and the runtime API: ATen/cuda/CUDAContext.h would also need the cuBLAS
// and cuSPARSE headers, which a PyTorch wheel plus the bare CUDA runtime does not have.
// cudaGetDeviceProperties resolves at load time from the libcudart that libc10_cuda brings.
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

namespace aunce {

static int gpuCount() { return at::hasCUDA() ? int(at::detail::getCUDAHooks().getNumGPUs()) : 0; }

static int checkedDevice(const Napi::CallbackInfo& info, const char* fn) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": expected a device index");
  int i = info[0].As<Napi::Number>().Int32Value();
  int n = gpuCount();
  if (n == 0) throw Napi::Error::New(info.Env(), std::string(fn) + ": no CUDA device (this engine is CPU-only or no GPU is visible)");
  if (i < 0 || i >= n) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": cuda:" + std::to_string(i) + " does not exist; devices: cuda:0..cuda:" +
                                                std::to_string(n - 1));
  }
  return i;
}

static Napi::Value CudaDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = gpuCount();
  auto arr = Napi::Array::New(env);
#ifdef AUNCE_WITH_CUDA
  for (int i = 0; i < n; i++) {
    cudaDeviceProp p;
    if (cudaGetDeviceProperties(&p, i) != cudaSuccess) throw Napi::Error::New(env, "cudaDevices: cannot read the properties of cuda:" + std::to_string(i));
    auto o = Napi::Object::New(env);
    o.Set("index", i);
    o.Set("name", std::string(p.name));
    o.Set("totalMemory", double(p.totalGlobalMem));
    o.Set("major", p.major);
    o.Set("minor", p.minor);
    arr.Set(uint32_t(i), o);
  }
#else
  (void)n;
#endif
  return arr;
}

static Napi::Value CudaMemory(const Napi::CallbackInfo& info) {
  int i = checkedDevice(info, "cudaMemory");
  auto o = Napi::Object::New(info.Env());
#ifdef AUNCE_WITH_CUDA
  auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(c10::DeviceIndex(i));
  const auto agg = static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE);
  o.Set("allocated", double(stats.allocated_bytes[agg].current));
  o.Set("peakAllocated", double(stats.allocated_bytes[agg].peak));
  o.Set("reserved", double(stats.reserved_bytes[agg].current));
  o.Set("peakReserved", double(stats.reserved_bytes[agg].peak));
#else
  (void)i;
#endif
  return o;
}

static Napi::Value CudaResetPeakMemory(const Napi::CallbackInfo& info) {
  int i = checkedDevice(info, "cudaResetPeakMemory");
#ifdef AUNCE_WITH_CUDA
  c10::cuda::CUDACachingAllocator::resetPeakStats(c10::DeviceIndex(i));
#else
  (void)i;
#endif
  return info.Env().Undefined();
}

static Napi::Value CudaEmptyCache(const Napi::CallbackInfo& info) {
#ifdef AUNCE_WITH_CUDA
  if (gpuCount() > 0) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  return info.Env().Undefined();
}

static Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  int i = checkedDevice(info, "cudaSynchronize");
#ifdef AUNCE_WITH_CUDA
  c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(i));  // (not DeviceIndex(i): that parses as a declaration)
  c10::cuda::device_synchronize();
#else
  (void)i;
#endif
  return info.Env().Undefined();
}

static Napi::Value CudnnVersion(const Napi::CallbackInfo& info) {
  double v = 0;
  if (at::hasCUDA() && at::globalContext().hasCuDNN()) v = double(at::detail::getCUDAHooks().versionCuDNN());
  return Napi::Number::New(info.Env(), v);
}

// NCCL ships inside CUDA engines as libnccl.so.2, loaded by libtorch_cuda; no header is needed to
// ask it its version.
static Napi::Value NcclVersion(const Napi::CallbackInfo& info) {
  double v = 0;
  void* h = dlopen("libnccl.so.2", RTLD_LAZY | RTLD_NOLOAD);
  if (!h && at::hasCUDA()) h = dlopen("libnccl.so.2", RTLD_LAZY);
  if (h) {
    using Fn = int (*)(int*);
    auto fn = reinterpret_cast<Fn>(dlsym(h, "ncclGetVersion"));
    int out = 0;
    if (fn && fn(&out) == 0) v = out;
    dlclose(h);
  }
  return Napi::Number::New(info.Env(), v);
}

static Napi::Value SetCudnn(const Napi::CallbackInfo& info) {
  bool det = info.Length() > 0 && info[0].ToBoolean();
  bool bench = info.Length() > 1 && info[1].ToBoolean();
  at::globalContext().setDeterministicCuDNN(det);
  at::globalContext().setBenchmarkCuDNN(bench);
  return info.Env().Undefined();
}

static Napi::Value GetCudaRngState(const Napi::CallbackInfo& info) {
  int i = checkedDevice(info, "getCudaRngState");
  auto gen = at::globalContext().defaultGenerator(at::Device(at::kCUDA, c10::DeviceIndex(i)));
  at::Tensor st;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    st = gen.get_state();
  }
  return Napi::Buffer<uint8_t>::Copy(info.Env(), st.data_ptr<uint8_t>(), size_t(st.numel()));
}

static Napi::Value SetCudaRngState(const Napi::CallbackInfo& info) {
  int i = checkedDevice(info, "setCudaRngState");
  if (info.Length() < 2 || !info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "setCudaRngState: expected (index, Uint8Array)");
  const uint8_t* p = nullptr;
  size_t len = 0;
  viewBytes(info[1], &p, &len);
  at::Tensor st = at::empty({int64_t(len)}, at::kByte);
  if (len) std::memcpy(st.data_ptr(), p, len);
  auto gen = at::globalContext().defaultGenerator(at::Device(at::kCUDA, c10::DeviceIndex(i)));
  try {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(st);
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), "setCudaRngState: " + shortError(e));
  }
  return info.Env().Undefined();
}

// libtorch 2.4 replaced the per-device autocast functions (set_cpu_enabled, set_autocast_cpu_dtype,
// ...) with ones taking a device type; both spellings are wrapped here.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define AUNCE_AUTOCAST_BY_DEVICE 1
#endif

static bool autocastEnabled(at::DeviceType d) {
#ifdef AUNCE_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(d);
#else
  return d == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}
static at::ScalarType autocastDtype(at::DeviceType d) {
#ifdef AUNCE_AUTOCAST_BY_DEVICE
  return at::autocast::get_autocast_dtype(d);
#else
  return d == at::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
#endif
}
static void setAutocast(at::DeviceType d, bool on, at::ScalarType t) {
#ifdef AUNCE_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_dtype(d, t);
  at::autocast::set_autocast_enabled(d, on);
#else
  if (d == at::kCPU) {
    at::autocast::set_autocast_cpu_dtype(t);
    at::autocast::set_cpu_enabled(on);
  } else {
    at::autocast::set_autocast_gpu_dtype(t);
    at::autocast::set_enabled(on);
  }
#endif
}

static Napi::Value SetAutocast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[2].IsString()) {
    throw Napi::TypeError::New(env, "setAutocast: expected (device 'cpu'|'cuda', enabled, dtype)");
  }
  std::string dev = info[0].As<Napi::String>();
  if (dev != "cpu" && dev != "cuda") throw Napi::TypeError::New(env, "setAutocast: device must be 'cpu' or 'cuda', got '" + dev + "'");
  at::DeviceType d = dev == "cpu" ? at::kCPU : at::kCUDA;
  at::ScalarType t;
  try {
    t = parseDtype(info[2].As<Napi::String>());
  } catch (const std::exception& e) {
    throw Napi::TypeError::New(env, std::string("setAutocast: ") + e.what());
  }
  if (t != at::kHalf && t != at::kBFloat16) throw Napi::TypeError::New(env, "setAutocast: dtype must be float16 or bfloat16");
  auto prev = Napi::Array::New(env, 2);
  prev.Set(0u, Napi::Boolean::New(env, autocastEnabled(d)));
  prev.Set(1u, Napi::String::New(env, dtypeName(autocastDtype(d))));
  setAutocast(d, info[1].ToBoolean(), t);
  return prev;
}

static Napi::Value AutocastNesting(const Napi::CallbackInfo& info) {
  int delta = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  int depth = 0;
  if (delta > 0) depth = at::autocast::increment_nesting();
  if (delta < 0) {
    depth = at::autocast::decrement_nesting();
    if (depth == 0) at::autocast::clear_cache();
  }
  return Napi::Number::New(info.Env(), depth);
}

void InitDevice(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaDevices", Napi::Function::New(env, CudaDevices, "cudaDevices"));
  exports.Set("cudaMemory", Napi::Function::New(env, CudaMemory, "cudaMemory"));
  exports.Set("cudaResetPeakMemory", Napi::Function::New(env, CudaResetPeakMemory, "cudaResetPeakMemory"));
  exports.Set("cudaEmptyCache", Napi::Function::New(env, CudaEmptyCache, "cudaEmptyCache"));
  exports.Set("cudaSynchronize", Napi::Function::New(env, CudaSynchronize, "cudaSynchronize"));
  exports.Set("cudnnVersion", Napi::Function::New(env, CudnnVersion, "cudnnVersion"));
  exports.Set("ncclVersion", Napi::Function::New(env, NcclVersion, "ncclVersion"));
  exports.Set("setCudnn", Napi::Function::New(env, SetCudnn, "setCudnn"));
  exports.Set("getCudaRngState", Napi::Function::New(env, GetCudaRngState, "getCudaRngState"));
  exports.Set("setCudaRngState", Napi::Function::New(env, SetCudaRngState, "setCudaRngState"));
  exports.Set("setAutocast", Napi::Function::New(env, SetAutocast, "setAutocast"));
  exports.Set("autocastNesting", Napi::Function::New(env, AutocastNesting, "autocastNesting"));
}

}  // namespace aunce
