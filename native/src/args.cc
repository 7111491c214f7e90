// Argument reading for the op dispatch: converts JS values to libtorch types and reports the
// op, the argument index and what was expected when a value does not fit.
#include "common.h"

#include <cmath>
#include <sstream>

namespace aunce {

static std::string jsTypeName(Napi::Value v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsNumber()) return "number";
  if (v.IsString()) return "string";
  if (v.IsBoolean()) return "boolean";
  if (v.IsArray()) return "array";
  if (TensorWrap::From(v)) return "tensor";
  return "object";
}

void Args::fail(size_t i, const std::string& expected) const {
  std::string got = i < size() ? jsTypeName(at(i)) : "nothing";
  throw Napi::TypeError::New(env(), op_ + ": argument " + std::to_string(i) + " must be " + expected + ", got " + got);
}

bool Args::has(size_t i) const { return i < size() && !at(i).IsUndefined() && !at(i).IsNull(); }
bool Args::isTensor(size_t i) const { return i < size() && TensorWrap::From(at(i)) != nullptr; }
bool Args::isNumber(size_t i) const { return i < size() && (at(i).IsNumber() || at(i).IsBoolean()); }
bool Args::isArray(size_t i) const { return i < size() && at(i).IsArray(); }
bool Args::isString(size_t i) const { return i < size() && at(i).IsString(); }

const at::Tensor& Args::tensor(size_t i) const {
  if (i >= size()) fail(i, "a tensor");
  TensorWrap* w = TensorWrap::From(at(i));
  if (!w) fail(i, "a tensor");
  if (!w->alive()) {
    throw Napi::Error::New(env(), op_ + ": argument " + std::to_string(i) + " is a disposed tensor");
  }
  return w->tensor();
}

c10::optional<at::Tensor> Args::optTensor(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return tensor(i);
}

at::Tensor Args::tensorOrScalar(size_t i, const at::Tensor& like) const {
  if (isTensor(i)) return tensor(i);
  if (!isNumber(i)) fail(i, "a tensor or a number");
  return at::scalar_tensor(scalar(i), like.options().requires_grad(false));
}

std::vector<at::Tensor> Args::tensors(size_t i) const {
  if (!isArray(i)) fail(i, "an array of tensors");
  auto arr = at(i).As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) {
    TensorWrap* w = TensorWrap::From(arr.Get(k));
    if (!w) fail(i, "an array of tensors (element " + std::to_string(k) + " is not a tensor)");
    if (!w->alive()) throw Napi::Error::New(env(), op_ + ": argument " + std::to_string(i) + "[" + std::to_string(k) + "] is a disposed tensor");
    out.push_back(w->tensor());
  }
  return out;
}

c10::List<c10::optional<at::Tensor>> Args::optTensors(size_t i) const {
  if (!isArray(i)) fail(i, "an array of tensors or nulls");
  auto arr = at(i).As<Napi::Array>();
  c10::List<c10::optional<at::Tensor>> out;
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value v = arr.Get(k);
    if (v.IsNull() || v.IsUndefined()) {
      out.push_back(c10::nullopt);
      continue;
    }
    TensorWrap* w = TensorWrap::From(v);
    if (!w || !w->alive()) fail(i, "an array of live tensors or nulls");
    out.push_back(w->tensor());
  }
  return out;
}

int64_t Args::i64(size_t i) const {
  if (!isNumber(i)) fail(i, "an integer");
  double d = at(i).ToNumber().DoubleValue();
  if (std::floor(d) != d || !std::isfinite(d)) fail(i, "an integer (got " + std::to_string(d) + ")");
  return int64_t(d);
}
int64_t Args::i64(size_t i, int64_t def) const { return has(i) ? i64(i) : def; }
c10::optional<int64_t> Args::optI64(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return i64(i);
}

double Args::f64(size_t i) const {
  if (!isNumber(i)) fail(i, "a number");
  return at(i).ToNumber().DoubleValue();
}
double Args::f64(size_t i, double def) const { return has(i) ? f64(i) : def; }
c10::optional<double> Args::optF64(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return f64(i);
}

bool Args::boolean(size_t i, bool def) const {
  if (!has(i)) return def;
  if (!at(i).IsBoolean() && !at(i).IsNumber()) fail(i, "a boolean");
  return at(i).ToBoolean();
}

std::vector<int64_t> Args::ints(size_t i) const {
  if (isNumber(i)) return {i64(i)};
  if (!isArray(i)) fail(i, "an integer or an array of integers");
  auto arr = at(i).As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value v = arr.Get(k);
    if (!v.IsNumber()) fail(i, "an array of integers");
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::floor(d) != d) fail(i, "an array of integers (element " + std::to_string(k) + " is " + std::to_string(d) + ")");
    out[k] = int64_t(d);
  }
  return out;
}
std::vector<int64_t> Args::ints(size_t i, std::vector<int64_t> def) const { return has(i) ? ints(i) : def; }

std::string Args::str(size_t i) const {
  if (!isString(i)) fail(i, "a string");
  return at(i).As<Napi::String>().Utf8Value();
}
std::string Args::str(size_t i, const std::string& def) const { return has(i) ? str(i) : def; }

// Whole numbers become integer scalars so that int tensors stay int (2 * int64 -> int64) while
// float tensors still promote as usual (2 * float32 -> float32).
at::Scalar Args::scalar(size_t i) const {
  if (i < size() && at(i).IsBoolean()) return at::Scalar(at(i).ToBoolean().Value());
  if (!isNumber(i)) fail(i, "a number");
  double d = at(i).ToNumber().DoubleValue();
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15) return at::Scalar(int64_t(d));
  return at::Scalar(d);
}
at::Scalar Args::scalar(size_t i, const at::Scalar& def) const { return has(i) ? scalar(i) : def; }

at::ScalarType Args::dtype(size_t i) const {
  try {
    return parseDtype(str(i));
  } catch (const std::invalid_argument& e) {
    throw Napi::TypeError::New(env(), op_ + ": argument " + std::to_string(i) + ": " + e.what());
  }
}
c10::optional<at::ScalarType> Args::optDtype(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return dtype(i);
}

at::TensorOptions Args::options(size_t dtypeAt, size_t deviceAt) const {
  at::TensorOptions o = at::TensorOptions().dtype(has(dtypeAt) ? dtype(dtypeAt) : at::kFloat);
  if (has(deviceAt)) {
    try {
      o = o.device(parseDevice(str(deviceAt)));
    } catch (const std::invalid_argument& e) {
      throw Napi::Error::New(env(), op_ + ": " + e.what());
    }
  }
  return o;
}

at::MemoryFormat Args::memoryFormat(size_t i) const {
  std::string m = str(i, "contiguous");
  if (m == "contiguous") return at::MemoryFormat::Contiguous;
  if (m == "channels_last") return at::MemoryFormat::ChannelsLast;
  if (m == "preserve") return at::MemoryFormat::Preserve;
  fail(i, "'contiguous', 'channels_last' or 'preserve'");
}

Napi::Value Args::ret(const std::vector<at::Tensor>& ts) const {
  auto arr = Napi::Array::New(env(), ts.size());
  for (size_t k = 0; k < ts.size(); k++) arr.Set(uint32_t(k), TensorWrap::Wrap(env(), ts[k]));
  return arr;
}

Napi::Value Args::ret(const std::tuple<at::Tensor, at::Tensor>& ts) const {
  return ret(std::vector<at::Tensor>{std::get<0>(ts), std::get<1>(ts)});
}

std::string describeArgs(const Napi::CallbackInfo& info, size_t offset) {
  std::ostringstream os;
  os << "(";
  for (size_t i = offset; i < info.Length(); i++) {
    if (i > offset) os << ", ";
    Napi::Value v = info[i];
    TensorWrap* w = TensorWrap::From(v);
    if (w) {
      os << (w->alive() ? describeTensor(w->tensor()) : std::string("<disposed tensor>"));
    } else if (v.IsArray()) {
      auto arr = v.As<Napi::Array>();
      os << "[";
      for (uint32_t k = 0; k < arr.Length() && k < 8; k++) {
        Napi::Value e = arr.Get(k);
        TensorWrap* ew = TensorWrap::From(e);
        os << (k ? ", " : "")
           << (ew ? (ew->alive() ? describeTensor(ew->tensor()) : "<disposed tensor>")
                  : e.IsNumber() ? std::to_string(e.As<Napi::Number>().DoubleValue()) : jsTypeName(e));
      }
      if (arr.Length() > 8) os << ", ...";
      os << "]";
    } else if (v.IsNumber()) {
      os << v.As<Napi::Number>().DoubleValue();
    } else if (v.IsString()) {
      os << "'" << v.As<Napi::String>().Utf8Value() << "'";
    } else {
      os << jsTypeName(v);
    }
  }
  os << ")";
  return os.str();
}

std::string shortError(const std::exception& e) {
  const c10::Error* ce = dynamic_cast<const c10::Error*>(&e);
  std::string msg = ce ? ce->what_without_backtrace() : e.what();
  // libtorch appends "Exception raised from ... (most recent call first)"-style context on later lines.
  auto cut = msg.find("\nException raised from");
  if (cut != std::string::npos) msg = msg.substr(0, cut);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

}  // namespace aunce
