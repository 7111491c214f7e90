// libtorch's optimizers behind one JS class.
//   new Optimizer(kind, groups)   kind: "sgd" | "adam" | "adamw";
//                                 groups: [{ params: NativeTensor[], lr, momentum?, dampening?,
//                                 weightDecay?, nesterov?, betas?: [b1, b2], eps?, amsgrad? }]
//   step()                        sync; one update from the parameters' .grad
//   zeroGrad(setToNone = true)    sync
//   groupCount()                  sync; -> number
//   getLr(group) / setLr(group, lr)   sync; learning-rate schedules change lr between steps
//   saveState() -> Uint8Array     sync; optimizer state (moments, steps) in libtorch's archive format
//   loadState(bytes)              sync; restores saveState() output for the same parameter list
//   dispose()                     sync; frees the optimizer's state tensors now
#include "common.h"

#include <torch/optim.h>
#include <torch/serialize.h>

#include <sstream>

namespace aunce {

class OptimizerWrap : public Napi::ObjectWrap<OptimizerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Optimizer",
                       {
                           InstanceMethod<&OptimizerWrap::Step>("step"),
                           InstanceMethod<&OptimizerWrap::ZeroGrad>("zeroGrad"),
                           InstanceMethod<&OptimizerWrap::GroupCount>("groupCount"),
                           InstanceMethod<&OptimizerWrap::GetLr>("getLr"),
                           InstanceMethod<&OptimizerWrap::SetLr>("setLr"),
                           InstanceMethod<&OptimizerWrap::SaveState>("saveState"),
                           InstanceMethod<&OptimizerWrap::LoadState>("loadState"),
                           InstanceMethod<&OptimizerWrap::Dispose>("dispose"),
                       });
  }

  explicit OptimizerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OptimizerWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsArray()) {
      throw Napi::TypeError::New(env, "Optimizer: expected (kind, groups[])");
    }
    kind_ = info[0].As<Napi::String>().Utf8Value();
    auto groups = info[1].As<Napi::Array>();
    if (groups.Length() == 0) throw Napi::RangeError::New(env, "Optimizer: at least one parameter group is needed");
    std::vector<torch::optim::OptimizerParamGroup> pgs;
    for (uint32_t g = 0; g < groups.Length(); g++) {
      if (!groups.Get(g).IsObject()) throw Napi::TypeError::New(env, "Optimizer: group " + std::to_string(g) + " must be an object");
      Napi::Object o = groups.Get(g).As<Napi::Object>();
      std::vector<at::Tensor> params = readParams(env, o, g);
      pgs.emplace_back(params, makeOptions(env, o, g));
    }
    try {
      if (kind_ == "sgd") {
        opt_ = std::make_unique<torch::optim::SGD>(pgs, torch::optim::SGDOptions(1e-3));
      } else if (kind_ == "adam") {
        opt_ = std::make_unique<torch::optim::Adam>(pgs, torch::optim::AdamOptions());
      } else {
        opt_ = std::make_unique<torch::optim::AdamW>(pgs, torch::optim::AdamWOptions());
      }
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, "Optimizer(" + kind_ + "): " + shortError(e));
    }
  }

 private:
  static double num(Napi::Object o, const char* key, double def) {
    Napi::Value v = o.Get(key);
    return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : def;
  }
  static bool flag(Napi::Object o, const char* key, bool def) {
    Napi::Value v = o.Get(key);
    return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : def;
  }

  std::vector<at::Tensor> readParams(Napi::Env env, Napi::Object o, uint32_t g) {
    Napi::Value pv = o.Get("params");
    if (!pv.IsArray()) throw Napi::TypeError::New(env, "Optimizer: group " + std::to_string(g) + ".params must be an array of tensors");
    auto arr = pv.As<Napi::Array>();
    std::vector<at::Tensor> params;
    for (uint32_t k = 0; k < arr.Length(); k++) {
      TensorWrap* w = TensorWrap::From(arr.Get(k));
      if (!w || !w->alive()) {
        throw Napi::TypeError::New(env, "Optimizer: group " + std::to_string(g) + ".params[" + std::to_string(k) + "] is not a live tensor");
      }
      if (!w->tensor().is_leaf() || !w->tensor().requires_grad()) {
        throw Napi::TypeError::New(env, "Optimizer: group " + std::to_string(g) + ".params[" + std::to_string(k) +
                                            "] must be a leaf tensor with requiresGrad (" + describeTensor(w->tensor()) + ")");
      }
      params.push_back(w->tensor());
    }
    return params;
  }

  std::unique_ptr<torch::optim::OptimizerOptions> makeOptions(Napi::Env env, Napi::Object o, uint32_t g) {
    double lr = num(o, "lr", -1);
    if (!(lr >= 0)) throw Napi::RangeError::New(env, "Optimizer: group " + std::to_string(g) + ".lr must be a number >= 0");
    double wd = num(o, "weightDecay", kind_ == "adamw" ? 1e-2 : 0.0);
    if (kind_ == "sgd") {
      auto opts = std::make_unique<torch::optim::SGDOptions>(lr);
      opts->momentum(num(o, "momentum", 0)).dampening(num(o, "dampening", 0)).weight_decay(wd).nesterov(flag(o, "nesterov", false));
      if (opts->nesterov() && (opts->momentum() <= 0 || opts->dampening() != 0)) {
        throw Napi::RangeError::New(env, "Optimizer(sgd): nesterov needs momentum > 0 and dampening 0");
      }
      return opts;
    }
    double b1 = 0.9, b2 = 0.999;
    Napi::Value bv = o.Get("betas");
    if (bv.IsArray() && bv.As<Napi::Array>().Length() == 2) {
      b1 = bv.As<Napi::Array>().Get(0u).As<Napi::Number>().DoubleValue();
      b2 = bv.As<Napi::Array>().Get(1u).As<Napi::Number>().DoubleValue();
    }
    double eps = num(o, "eps", 1e-8);
    bool ams = flag(o, "amsgrad", false);
    if (kind_ == "adam") {
      auto opts = std::make_unique<torch::optim::AdamOptions>(lr);
      opts->betas({b1, b2}).eps(eps).weight_decay(wd).amsgrad(ams);
      return opts;
    }
    if (kind_ == "adamw") {
      auto opts = std::make_unique<torch::optim::AdamWOptions>(lr);
      opts->betas({b1, b2}).eps(eps).weight_decay(wd).amsgrad(ams);
      return opts;
    }
    throw Napi::TypeError::New(env, "Optimizer: unknown kind '" + kind_ + "' (expected sgd, adam or adamw)");
  }

  torch::optim::Optimizer& opt(const char* method) {
    if (!opt_) throw Napi::Error::New(Env(), std::string("optimizer.") + method + ": the optimizer was disposed");
    return *opt_;
  }

  size_t group(const Napi::CallbackInfo& info, const char* method) {
    auto& o = opt(method);
    if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("optimizer.") + method + ": expected a group index");
    int64_t g = info[0].As<Napi::Number>().Int64Value();
    if (g < 0 || size_t(g) >= o.param_groups().size()) {
      throw Napi::RangeError::New(info.Env(), std::string("optimizer.") + method + ": group " + std::to_string(g) + " out of range (have " +
                                                  std::to_string(o.param_groups().size()) + ")");
    }
    return size_t(g);
  }

  Napi::Value Step(const Napi::CallbackInfo& info) {
    try {
      opt("step").step();
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), "optimizer.step: " + shortError(e));
    }
    return info.Env().Undefined();
  }

  Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
    bool setToNone = info.Length() < 1 || info[0].ToBoolean();
    auto& o = opt("zeroGrad");
    for (auto& g : o.param_groups()) {
      for (auto& p : g.params()) {
        if (!p.grad().defined()) continue;
        if (setToNone) {
          p.mutable_grad() = at::Tensor();
        } else {
          p.mutable_grad().detach_();
          p.mutable_grad().zero_();
        }
      }
    }
    return info.Env().Undefined();
  }

  Napi::Value GroupCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(opt("groupCount").param_groups().size()));
  }

  Napi::Value GetLr(const Napi::CallbackInfo& info) {
    size_t g = group(info, "getLr");
    return Napi::Number::New(info.Env(), opt_->param_groups()[g].options().get_lr());
  }

  Napi::Value SetLr(const Napi::CallbackInfo& info) {
    size_t g = group(info, "setLr");
    if (info.Length() < 2 || !info[1].IsNumber() || info[1].As<Napi::Number>().DoubleValue() < 0) {
      throw Napi::RangeError::New(info.Env(), "optimizer.setLr: lr must be a number >= 0");
    }
    opt_->param_groups()[g].options().set_lr(info[1].As<Napi::Number>().DoubleValue());
    return info.Env().Undefined();
  }

  Napi::Value SaveState(const Napi::CallbackInfo& info) {
    auto& o = opt("saveState");
    std::ostringstream os;
    try {
      torch::serialize::OutputArchive archive;
      o.save(archive);
      archive.save_to(os);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), "optimizer.saveState: " + shortError(e));
    }
    std::string bytes = os.str();
    return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }

  Napi::Value LoadState(const Napi::CallbackInfo& info) {
    auto& o = opt("loadState");
    if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "optimizer.loadState: expected a Uint8Array");
    const uint8_t* p = nullptr;
    size_t len = 0;
    viewBytes(info[0], &p, &len);
    std::istringstream is(std::string(reinterpret_cast<const char*>(p), len));
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(is);
      o.load(archive);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), "optimizer.loadState: " + shortError(e));
    }
    return info.Env().Undefined();
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    opt_.reset();
    return info.Env().Undefined();
  }

  std::string kind_;
  std::unique_ptr<torch::optim::Optimizer> opt_;
};

Napi::Function DefineOptimizer(Napi::Env env) { return OptimizerWrap::Define(env); }

}  // namespace aunce
