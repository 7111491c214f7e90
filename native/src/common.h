// Shared declarations of the native binding. The binding is deliberately generic: tensors,
// libtorch's own ops through one dispatch table, autograd, optimizers and runtime switches.
// No model, loss, data or AU logic lives in C++.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>

#include <functional>
#include <string>
#include <vector>

namespace aunce {

// Per-environment constructors: the addon may be loaded by several worker threads, each with its
// own JS environment, so nothing JS-related is kept in globals.
struct AddonData {
  Napi::FunctionReference tensorCtor;
  Napi::FunctionReference optimizerCtor;
};

// ---- dtype / device names shared with the TypeScript façade ----
at::ScalarType parseDtype(const std::string& name);   // throws std::invalid_argument
const char* dtypeName(at::ScalarType t);
at::Device parseDevice(const std::string& name);      // throws std::invalid_argument (e.g. no CUDA)
std::string describeTensor(const at::Tensor& t);      // "[2,3] float32 cpu"

// ---- tensor handle ----
class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Creates a JS handle that owns a reference to `t`.
  static Napi::Value Wrap(Napi::Env env, at::Tensor t);
  // Returns the handle behind `v`, or nullptr when `v` is not a tensor handle.
  static TensorWrap* From(Napi::Value v);

  explicit TensorWrap(const Napi::CallbackInfo& info);
  ~TensorWrap() override;

  bool alive() const { return alive_; }
  const at::Tensor& tensor() const { return tensor_; }
  void release();

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value Strides(const Napi::CallbackInfo& info);
  Napi::Value Dtype(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value Numel(const Napi::CallbackInfo& info);
  Napi::Value RequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value Grad(const Napi::CallbackInfo& info);
  Napi::Value SetGrad(const Napi::CallbackInfo& info);
  Napi::Value Backward(const Napi::CallbackInfo& info);
  Napi::Value Data(const Napi::CallbackInfo& info);
  Napi::Value Item(const Napi::CallbackInfo& info);
  Napi::Value IsContiguous(const Napi::CallbackInfo& info);
  Napi::Value StorageId(const Napi::CallbackInfo& info);
  Napi::Value IsLeaf(const Napi::CallbackInfo& info);
  const at::Tensor& checked(const char* method) const;

  at::Tensor tensor_;
  bool alive_ = false;
};

int64_t liveTensorCount();

// ---- argument reader for the op dispatch ----
class Args {
 public:
  Args(const Napi::CallbackInfo& info, size_t offset, const std::string& op)
      : info_(info), offset_(offset), op_(op) {}
  Napi::Env env() const { return info_.Env(); }
  size_t size() const { return info_.Length() - offset_; }
  Napi::Value at(size_t i) const { return info_[offset_ + i]; }

  bool has(size_t i) const;  // present and neither undefined nor null
  bool isTensor(size_t i) const;
  bool isNumber(size_t i) const;
  bool isArray(size_t i) const;
  bool isString(size_t i) const;

  const at::Tensor& tensor(size_t i) const;
  c10::optional<at::Tensor> optTensor(size_t i) const;
  // A tensor, or a number turned into a 0-dim tensor of `like`'s dtype and device.
  at::Tensor tensorOrScalar(size_t i, const at::Tensor& like) const;
  std::vector<at::Tensor> tensors(size_t i) const;
  // A list of tensors or nulls (for advanced indexing).
  c10::List<c10::optional<at::Tensor>> optTensors(size_t i) const;
  int64_t i64(size_t i) const;
  int64_t i64(size_t i, int64_t def) const;
  c10::optional<int64_t> optI64(size_t i) const;
  double f64(size_t i) const;
  double f64(size_t i, double def) const;
  c10::optional<double> optF64(size_t i) const;
  bool boolean(size_t i, bool def) const;
  std::vector<int64_t> ints(size_t i) const;  // also accepts a single number
  std::vector<int64_t> ints(size_t i, std::vector<int64_t> def) const;
  std::string str(size_t i) const;
  std::string str(size_t i, const std::string& def) const;
  at::Scalar scalar(size_t i) const;
  at::Scalar scalar(size_t i, const at::Scalar& def) const;
  at::ScalarType dtype(size_t i) const;
  c10::optional<at::ScalarType> optDtype(size_t i) const;
  // Options for factories: dtype at `dtypeAt`, device at `deviceAt` (both optional).
  at::TensorOptions options(size_t dtypeAt, size_t deviceAt) const;
  at::MemoryFormat memoryFormat(size_t i) const;

  [[noreturn]] void fail(size_t i, const std::string& expected) const;

  Napi::Value ret(const at::Tensor& t) const { return TensorWrap::Wrap(env(), t); }
  Napi::Value ret(const std::vector<at::Tensor>& ts) const;
  Napi::Value ret(const std::tuple<at::Tensor, at::Tensor>& ts) const;
  Napi::Value ret(double v) const { return Napi::Number::New(env(), v); }
  Napi::Value retBool(bool v) const { return Napi::Boolean::New(env(), v); }
  Napi::Value none() const { return env().Undefined(); }

 private:
  const Napi::CallbackInfo& info_;
  size_t offset_;
  const std::string& op_;
};

// ---- op registry ----
using OpFn = std::function<Napi::Value(Args&)>;
void registerOp(const std::string& name, OpFn fn);
void registerMathOps();
void registerNnOps();
void registerShapeOps();

// Pointer and length of a typed array's or DataView's bytes. Works for views over
// SharedArrayBuffers too (the data loader's batches), which Napi::ArrayBuffer cannot wrap.
bool viewBytes(Napi::Value v, const uint8_t** data, size_t* len);

// ---- exports defined in other files ----
Napi::Function DefineOptimizer(Napi::Env env);
void InitRuntime(Napi::Env env, Napi::Object exports);
void InitDevice(Napi::Env env, Napi::Object exports);
void InitDist(Napi::Env env, Napi::Object exports);
// Describes the call's arguments for error messages: "([2,3] float32 cpu, 1, [0, 1])".
std::string describeArgs(const Napi::CallbackInfo& info, size_t offset);
// The first line of a c10::Error without libtorch's C++ backtrace.
std::string shortError(const std::exception& e);

}  // namespace aunce
