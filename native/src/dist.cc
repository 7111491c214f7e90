// Data-parallel collectives on libtorch's c10d: a TCPStore rendezvous and a Gloo (CPU) or NCCL
// (CUDA builds) process group. No collective is implemented here: every call goes to c10d.
//   new ProcessGroup({backend, addr, port, rank, worldSize, timeoutMs})
//       sync; rank 0 hosts the TCPStore on addr:port, every rank connects to it, checks that all
//       ranks agree on the world size and that no rank is claimed twice, then creates the group.
//   pg.allReduce(tensors, op)     sync, in place; op "sum" | "max" | "min" ("avg": sum / worldSize)
//   pg.broadcast(tensors, root)   sync, in place
//   pg.allGather(tensor)          sync; -> tensor[] (one per rank, each the same shape)
//   pg.barrier()                  sync
//   pg.allGatherGrad(tensor)      -> tensor: the ranks' tensors concatenated along dim 0, with a
//                                 backward that all-reduces (sums) the incoming gradient and keeps
//                                 this rank's slice (the reduce-scatter of the gathered gradient)
//   pg.allReduceGrad(tensor)      -> tensor: the sum over ranks, whose backward sums the gradient
//                                 over ranks too (sync-BN statistics)
//   pg.rank, pg.worldSize, pg.backend, pg.close()
// Every wait has the group's timeout; a failure or timeout throws an Error that names this rank,
// the collective and the peer count (the launcher names the rank that died).
#include "common.h"

#include <torch/csrc/autograd/custom_function.h>
#include <torch/version.h>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>

#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

// NCCL: a CUDA build with NCCL's header and the full CUDA headers ProcessGroupNCCL.hpp pulls in
// through ATen/cuda (cuSPARSE, cuBLAS); without them the addon builds with Gloo only.
#if defined(AUNCE_WITH_CUDA) && __has_include(<nccl.h>) && __has_include(<cusparse.h>) && __has_include(<cublas_v2.h>) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#define AUNCE_WITH_NCCL 1
#endif

#include <chrono>
#include <mutex>
#include <unordered_map>

namespace aunce {

// libtorch 2.x splits a process group into ProcessGroup + Backend; 1.13's ProcessGroupGloo is the
// group itself. Collectives are called on this type in both.
#if TORCH_VERSION_MAJOR >= 2
using Group = c10d::Backend;
#else
using Group = c10d::ProcessGroup;
#endif

struct GroupState {
  c10::intrusive_ptr<Group> group;
  c10::intrusive_ptr<c10d::Store> store;
  int rank = 0;
  int size = 1;
  std::string backend;
  std::chrono::milliseconds timeout{0};
};

// Groups by id, so that autograd nodes (which outlive a JS call) can reach theirs.
static std::mutex groupsMutex;
static std::unordered_map<int64_t, std::shared_ptr<GroupState>> groups;
static int64_t nextGroupId = 1;

static std::shared_ptr<GroupState> groupById(int64_t id) {
  std::lock_guard<std::mutex> lock(groupsMutex);
  auto it = groups.find(id);
  if (it == groups.end()) throw std::runtime_error("the process group was closed");
  return it->second;
}

static std::string secs(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", double(ms.count()) / 1000.0);
  return buf;
}

// Waits for `work`, turning c10d's failure (peer gone, timeout) into one message naming the rank.
template <typename W>
static void waitWork(const GroupState& g, const W& work, const char* what) {
  try {
    work->wait(g.timeout);
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(g.rank) + " of " + std::to_string(g.size) + ": " + what +
                             " failed or timed out (timeout " + secs(g.timeout) + "; another rank stopped, hung or "
                             "diverged): " + shortError(e));
  }
}

static c10d::ReduceOp parseOp(const std::string& op) {
  if (op == "sum" || op == "avg") return c10d::ReduceOp::SUM;
  if (op == "max") return c10d::ReduceOp::MAX;
  if (op == "min") return c10d::ReduceOp::MIN;
  throw std::invalid_argument("unknown reduce op '" + op + "' (sum, avg, max, min)");
}

static void allReduce(const GroupState& g, std::vector<at::Tensor>& ts, const std::string& op) {
  if (ts.empty()) return;
  c10d::AllreduceOptions o;
  o.reduceOp = parseOp(op);
  o.timeout = g.timeout;
  // One collective for the whole list: a bucket. A single contiguous tensor is reduced in place;
  // a list is flattened into one buffer and copied back.
  bool inPlace = ts.size() == 1 && ts[0].is_contiguous();
  std::vector<at::Tensor> flat;
  if (inPlace) {
    flat.push_back(ts[0]);
  } else {
    std::vector<at::Tensor> parts;
    parts.reserve(ts.size());
    for (auto& t : ts) parts.push_back(t.reshape({-1}));
    flat.push_back(at::cat(parts));
  }
  waitWork(g, g.group->allreduce(flat, o), "allReduce");
  if (op == "avg") flat[0].div_(g.size);
  if (inPlace) return;
  int64_t off = 0;
  for (auto& t : ts) {
    int64_t n = t.numel();
    t.copy_(flat[0].narrow(0, off, n).view(t.sizes()));
    off += n;
  }
}

static std::vector<at::Tensor> allGather(const GroupState& g, const at::Tensor& t) {
  at::Tensor in = t.contiguous();
  std::vector<std::vector<at::Tensor>> out(1);
  for (int i = 0; i < g.size; i++) out[0].push_back(at::empty_like(in));
  std::vector<at::Tensor> ins{in};
  c10d::AllgatherOptions o;
  o.timeout = g.timeout;
  waitWork(g, g.group->allgather(out, ins, o), "allGather");
  return out[0];
}

// ---- differentiable collectives ----
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct AllGatherGrad : public torch::autograd::Function<AllGatherGrad> {
  static at::Tensor forward(AutogradContext* ctx, at::Tensor x, int64_t groupId) {
    auto g = groupById(groupId);
    ctx->saved_data["group"] = groupId;
    ctx->saved_data["rows"] = x.size(0);
    return at::cat(allGather(*g, x.detach()), 0);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto g = groupById(ctx->saved_data["group"].toInt());
    int64_t rows = ctx->saved_data["rows"].toInt();
    std::vector<at::Tensor> sum{grads[0].contiguous().clone()};
    allReduce(*g, sum, "sum");
    return {sum[0].narrow(0, rows * g->rank, rows), at::Tensor()};
  }
};

struct AllReduceGrad : public torch::autograd::Function<AllReduceGrad> {
  static at::Tensor forward(AutogradContext* ctx, at::Tensor x, int64_t groupId) {
    auto g = groupById(groupId);
    ctx->saved_data["group"] = groupId;
    std::vector<at::Tensor> v{x.detach().contiguous().clone()};
    allReduce(*g, v, "sum");
    return v[0];
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto g = groupById(ctx->saved_data["group"].toInt());
    std::vector<at::Tensor> v{grads[0].contiguous().clone()};
    allReduce(*g, v, "sum");
    return {v[0], at::Tensor()};
  }
};

// ---- JS class ----
class ProcessGroupWrap : public Napi::ObjectWrap<ProcessGroupWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ProcessGroup", {
      InstanceMethod<&ProcessGroupWrap::AllReduce>("allReduce"),
      InstanceMethod<&ProcessGroupWrap::Broadcast>("broadcast"),
      InstanceMethod<&ProcessGroupWrap::AllGather>("allGather"),
      InstanceMethod<&ProcessGroupWrap::Barrier>("barrier"),
      InstanceMethod<&ProcessGroupWrap::AllGatherGradJs>("allGatherGrad"),
      InstanceMethod<&ProcessGroupWrap::AllReduceGradJs>("allReduceGrad"),
      InstanceMethod<&ProcessGroupWrap::Close>("close"),
      InstanceAccessor<&ProcessGroupWrap::Rank>("rank"),
      InstanceAccessor<&ProcessGroupWrap::Size>("worldSize"),
      InstanceAccessor<&ProcessGroupWrap::Backend>("backend"),
    });
  }

  explicit ProcessGroupWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProcessGroupWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "ProcessGroup: expected {backend, addr, port, rank, worldSize, timeoutMs}");
    auto o = info[0].As<Napi::Object>();
    auto num = [&](const char* k) -> double {
      auto v = o.Get(k);
      if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string("ProcessGroup: ") + k + " must be a number");
      return v.As<Napi::Number>().DoubleValue();
    };
    auto str = [&](const char* k) -> std::string {
      auto v = o.Get(k);
      if (!v.IsString()) throw Napi::TypeError::New(env, std::string("ProcessGroup: ") + k + " must be a string");
      return v.As<Napi::String>().Utf8Value();
    };
    auto s = std::make_shared<GroupState>();
    s->backend = str("backend");
    std::string addr = str("addr");
    double port = num("port");
    s->rank = int(num("rank"));
    s->size = int(num("worldSize"));
    s->timeout = std::chrono::milliseconds(int64_t(num("timeoutMs")));
    std::string who = "rank " + std::to_string(s->rank) + " of " + std::to_string(s->size);
    if (s->size < 1 || s->rank < 0 || s->rank >= s->size) throw Napi::RangeError::New(env, "ProcessGroup: " + who + " is not a rank of the group (0 <= rank < world size)");
    if (!(port >= 1 && port <= 65535)) throw Napi::RangeError::New(env, "ProcessGroup: port " + std::to_string(port) + " is not in 1..65535");
    if (s->timeout.count() <= 0) throw Napi::RangeError::New(env, "ProcessGroup: timeoutMs must be > 0");
    if (s->backend == "nccl") {
#ifndef AUNCE_WITH_NCCL
      throw Napi::Error::New(env, "ProcessGroup: backend nccl needs a CUDA build of the addon (this one is " +
                                      std::string(at::hasCUDA() ? "CUDA without NCCL headers" : "CPU-only") + "); use gloo");
#endif
    } else if (s->backend != "gloo") {
      throw Napi::Error::New(env, "ProcessGroup: unknown backend '" + s->backend + "' (gloo, nccl)");
    }
    try {
      c10d::TCPStoreOptions so;
      so.port = uint16_t(port);
      so.isServer = s->rank == 0;
      so.waitWorkers = false;  // the checks below wait, with clearer errors
      so.timeout = s->timeout;
      s->store = c10::make_intrusive<c10d::TCPStore>(addr, so);
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, who + ": " + (s->rank == 0 ? "cannot host" : "cannot reach") + " the rendezvous store at " + addr + ":" +
                                      std::to_string(int(port)) + " within " + secs(s->timeout) + " (--master_addr/--master_port, MASTER_ADDR/MASTER_PORT): " + shortError(e));
    }
    try {
      // Every rank says which world size it was started with; a rank claimed twice or a
      // different world size is an error before any collective can hang on it.
      auto bytes = [](const std::string& v) { return std::vector<uint8_t>(v.begin(), v.end()); };
      int64_t claims = s->store->add("aunce/claim/" + std::to_string(s->rank), 1);
      if (claims > 1) throw std::runtime_error("rank " + std::to_string(s->rank) + " was started twice (check RANK / --node_rank)");
      s->store->set("aunce/world/" + std::to_string(s->rank), bytes(std::to_string(s->size)));
      std::vector<std::string> keys;
      for (int r = 0; r < s->size; r++) keys.push_back("aunce/world/" + std::to_string(r));
      try {
        s->store->wait(keys, s->timeout);
      } catch (const std::exception& e) {
        std::string missing;
        try {
          for (int r = 0; r < s->size; r++) {
            if (!s->store->check({keys[r]})) missing += (missing.empty() ? "" : ", ") + std::to_string(r);
          }
        } catch (const std::exception&) {
          throw std::runtime_error("lost the rendezvous store at " + addr + ":" + std::to_string(int(port)) +
                                   " while waiting for the other ranks (rank 0, its host, stopped): " + shortError(e));
        }
        throw std::runtime_error("rank(s) " + missing + " did not join within " + secs(s->timeout) + " (world size " + std::to_string(s->size) + ")");
      }
      for (int r = 0; r < s->size; r++) {
        auto v = s->store->get(keys[r]);
        std::string their(v.begin(), v.end());
        if (their != std::to_string(s->size)) {
          throw std::runtime_error("world size mismatch: rank " + std::to_string(r) + " was started with world size " + their + ", this rank with " + std::to_string(s->size));
        }
      }
      // A fresh key space per group, so that a later group on the same store never sees old keys.
      auto prefixed = c10::make_intrusive<c10d::PrefixStore>("aunce/pg", s->store);
      if (s->backend == "gloo") {
        auto opts = c10d::ProcessGroupGloo::Options::create(s->timeout);
        opts->devices.push_back(addr == "127.0.0.1" || addr == "localhost" ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                                                          : c10d::ProcessGroupGloo::createDefaultDevice());
        s->group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, s->rank, s->size, opts);
      }
#ifdef AUNCE_WITH_NCCL
      else {
        auto opts = c10d::ProcessGroupNCCL::Options::create();
        opts->timeout = s->timeout;
        s->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, s->rank, s->size, opts);
      }
#endif
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, who + ": " + shortError(e));
    }
    std::lock_guard<std::mutex> lock(groupsMutex);
    id_ = nextGroupId++;
    groups[id_] = s;
  }

  ~ProcessGroupWrap() override { drop(); }

 private:
  std::shared_ptr<GroupState> state(const char* what) {
    if (id_ == 0) throw std::runtime_error(std::string(what) + ": the process group is closed");
    return groupById(id_);
  }
  void drop() {
    if (id_ == 0) return;
    std::lock_guard<std::mutex> lock(groupsMutex);
    groups.erase(id_);
    id_ = 0;
  }
  template <typename F>
  Napi::Value guard(const Napi::CallbackInfo& info, const char* what, F fn) {
    try {
      return fn();
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string(what) + ": " + shortError(e));
    }
  }
  std::vector<at::Tensor> tensorList(const Napi::CallbackInfo& info, const char* what) {
    if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(info.Env(), std::string(what) + ": expected an array of tensors");
    auto arr = info[0].As<Napi::Array>();
    std::vector<at::Tensor> ts;
    for (uint32_t i = 0; i < arr.Length(); i++) {
      TensorWrap* w = TensorWrap::From(arr.Get(i));
      if (!w || !w->alive()) throw Napi::TypeError::New(info.Env(), std::string(what) + ": item " + std::to_string(i) + " is not a live tensor");
      ts.push_back(w->tensor());
    }
    return ts;
  }
  const at::Tensor& oneTensor(const Napi::CallbackInfo& info, const char* what) {
    TensorWrap* w = info.Length() > 0 ? TensorWrap::From(info[0]) : nullptr;
    if (!w || !w->alive()) throw Napi::TypeError::New(info.Env(), std::string(what) + ": expected a live tensor");
    return w->tensor();
  }

  Napi::Value AllReduce(const Napi::CallbackInfo& info) {
    auto ts = tensorList(info, "allReduce");
    std::string op = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "sum";
    return guard(info, "allReduce", [&] {
      auto g = state("allReduce");
      parseOp(op);
      // Collectives work on the data: autograd must not record the in-place writes.
      c10::AutoGradMode noGrad(false);
      allReduce(*g, ts, op);
      return info.Env().Undefined();
    });
  }
  Napi::Value Broadcast(const Napi::CallbackInfo& info) {
    auto ts = tensorList(info, "broadcast");
    int root = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
    return guard(info, "broadcast", [&] {
      auto g = state("broadcast");
      if (root < 0 || root >= g->size) throw std::invalid_argument("root " + std::to_string(root) + " is not a rank");
      c10::AutoGradMode noGrad(false);
      for (auto& t : ts) {
        if (!t.is_contiguous()) throw std::invalid_argument("broadcast needs contiguous tensors");
        std::vector<at::Tensor> one{t};
        c10d::BroadcastOptions o;
        o.rootRank = root;
        o.timeout = g->timeout;
        waitWork(*g, g->group->broadcast(one, o), "broadcast");
      }
      return info.Env().Undefined();
    });
  }
  Napi::Value AllGather(const Napi::CallbackInfo& info) {
    const at::Tensor& t = oneTensor(info, "allGather");
    return guard(info, "allGather", [&] {
      auto g = state("allGather");
      c10::AutoGradMode noGrad(false);
      auto out = allGather(*g, t);
      auto arr = Napi::Array::New(info.Env(), out.size());
      for (size_t i = 0; i < out.size(); i++) arr.Set(uint32_t(i), TensorWrap::Wrap(info.Env(), out[i]));
      return Napi::Value(arr);
    });
  }
  Napi::Value Barrier(const Napi::CallbackInfo& info) {
    return guard(info, "barrier", [&] {
      auto g = state("barrier");
      c10d::BarrierOptions o;
      o.timeout = g->timeout;
      waitWork(*g, g->group->barrier(o), "barrier");
      return info.Env().Undefined();
    });
  }
  Napi::Value AllGatherGradJs(const Napi::CallbackInfo& info) {
    const at::Tensor& t = oneTensor(info, "allGatherGrad");
    return guard(info, "allGatherGrad", [&] {
      state("allGatherGrad");
      if (t.dim() < 1) throw std::invalid_argument("allGatherGrad needs a tensor with a batch dimension");
      return TensorWrap::Wrap(info.Env(), AllGatherGrad::apply(t, id_));
    });
  }
  Napi::Value AllReduceGradJs(const Napi::CallbackInfo& info) {
    const at::Tensor& t = oneTensor(info, "allReduceGrad");
    return guard(info, "allReduceGrad", [&] {
      state("allReduceGrad");
      return TensorWrap::Wrap(info.Env(), AllReduceGrad::apply(t, id_));
    });
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    drop();
    return info.Env().Undefined();
  }
  Napi::Value Rank(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), state("rank")->rank); }
  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), state("worldSize")->size); }
  Napi::Value Backend(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), state("backend")->backend); }

  int64_t id_ = 0;
};

static Napi::Value NcclAvailable(const Napi::CallbackInfo& info) {
#ifdef AUNCE_WITH_NCCL
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

void InitDist(Napi::Env env, Napi::Object exports) {
  exports.Set("ProcessGroup", ProcessGroupWrap::Define(env));
  exports.Set("ncclAvailable", Napi::Function::New(env, NcclAvailable, "ncclAvailable"));
}

}  // namespace aunce
