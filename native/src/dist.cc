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
//   new GradReducer(pg, buckets)  DDP's reducer for the parameters in `buckets` (tensor[][], in the
//                                 order backward produces them): C++ post-hooks on the parameters'
//                                 gradient accumulators launch a bucket's async all-reduce as soon
//                                 as every gradient in it is ready (buckets in order, as DDP), so the
//                                 communication overlaps the rest of the backward pass.
//   r.prepare()                   sync; arms the hooks for the next backward (unarmed they do nothing)
//   r.finalize()                  sync; launches the buckets still pending (a parameter without a
//                                 gradient takes part with zeros), waits for every bucket, divides by
//                                 the world size and writes the means into the gradients;
//                                 -> {ms, overlapped} (ms waited here, buckets launched in backward)
//   r.close()
// Every wait has the group's timeout; a failure or timeout throws an Error that names this rank,
// the collective and the peer count (the launcher names the rank that died).
#include "common.h"

#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>
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
#include <memory>
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

// ---- DDP's reducer: gradient buckets all-reduced as backward produces them ----
// libtorch has its own c10d::Reducer, but it is the engine of Python's DistributedDataParallel:
// its constructor differs between 1.13 and 2.x, in 2.x it needs a c10d::ProcessGroup wrapping the
// backend (this file holds the Backend), and the bucket assignment, the logger and the
// unused-parameter search live on the Python side. This one does the part DDP's overlap needs with
// the hook API both engines share: a FunctionPostHook on each parameter's AccumulateGrad node
// (it runs right after the gradient was accumulated into .grad, on the thread running backward),
// and c10d's async allreduce, whose Work is waited for in finalize(). No JS runs in the hooks.
using WorkPtr = decltype(std::declval<Group&>().allreduce(std::declval<std::vector<at::Tensor>&>(), std::declval<const c10d::AllreduceOptions&>()));
using AccPtr = decltype(torch::autograd::impl::grad_accumulator(std::declval<const at::Tensor&>()));

struct ReducerState {
  std::mutex mu;
  int64_t groupId = 0;
  std::shared_ptr<GroupState> group;  // held from prepare() to finalize() only
  std::vector<std::vector<at::Tensor>> params;  // per bucket
  std::vector<std::vector<bool>> hooked;        // has a gradient accumulator (requires grad)
  std::vector<AccPtr> accumulators;             // kept alive: the tensors hold them weakly
  // per step
  bool armed = false;
  std::vector<std::vector<bool>> ready;
  std::vector<size_t> pending;
  std::vector<at::Tensor> flat;
  std::vector<WorkPtr> works;
  size_t next = 0;        // the next bucket to launch (buckets go in order on every rank)
  size_t launchedInBackward = 0;
  std::string error;      // a launch that failed inside a hook, reported by finalize()

  // The bucket's gradients flattened into one buffer (zeros for a parameter without one), and its
  // async sum over ranks. Called with `mu` held.
  void launch(size_t b) {
    c10::AutoGradMode noGrad(false);
    std::vector<at::Tensor> parts;
    parts.reserve(params[b].size());
    for (auto& p : params[b]) {
      const at::Tensor& g = p.grad();
      parts.push_back(g.defined() ? g.reshape({-1}) : at::zeros({p.numel()}, p.options()));
    }
    flat[b] = at::cat(parts);
    std::vector<at::Tensor> one{flat[b]};
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    o.timeout = group->timeout;
    works[b] = group->group->allreduce(one, o);
  }
  void launchReady() {
    for (; next < params.size() && pending[next] == 0; next++) launch(next);
  }
  // A gradient of bucket b, index i, is ready (its accumulator ran).
  void markReady(size_t b, size_t i) {
    std::lock_guard<std::mutex> lock(mu);
    if (!armed || !error.empty() || ready[b][i]) return;
    ready[b][i] = true;
    pending[b]--;
    try {
      size_t before = next;
      launchReady();
      launchedInBackward += next - before;
    } catch (const std::exception& e) {
      error = shortError(e);
    }
  }
};

struct ReadyHook : public torch::autograd::FunctionPostHook {
  ReadyHook(std::weak_ptr<ReducerState> s, size_t b, size_t i) : state(std::move(s)), bucket(b), index(i) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs, const torch::autograd::variable_list& /*inputs*/) override {
    if (auto s = state.lock()) s->markReady(bucket, index);
    return outputs;
  }
  std::weak_ptr<ReducerState> state;
  size_t bucket, index;
};

// ---- JS classes ----
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
      InstanceAccessor<&ProcessGroupWrap::GroupId>("groupId"),
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
  Napi::Value GroupId(const Napi::CallbackInfo& info) {
    if (id_ == 0) throw Napi::Error::New(info.Env(), "groupId: the process group is closed");
    return Napi::Number::New(info.Env(), double(id_));
  }

  int64_t id_ = 0;
};

class GradReducerWrap : public Napi::ObjectWrap<GradReducerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "GradReducer", {
      InstanceMethod<&GradReducerWrap::Prepare>("prepare"),
      InstanceMethod<&GradReducerWrap::Finalize>("finalize"),
      InstanceMethod<&GradReducerWrap::Close>("close"),
    });
  }

  // new GradReducer(groupId, buckets): groupId is a ProcessGroup's `groupId`.
  explicit GradReducerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GradReducerWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsArray()) throw Napi::TypeError::New(env, "GradReducer: expected (groupId, tensor[][])");
    auto s = std::make_shared<ReducerState>();
    s->groupId = info[0].As<Napi::Number>().Int64Value();
    try {
      groupById(s->groupId);
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, std::string("GradReducer: ") + e.what());
    }
    auto arr = info[1].As<Napi::Array>();
    for (uint32_t b = 0; b < arr.Length(); b++) {
      Napi::Value v = arr.Get(b);
      if (!v.IsArray()) throw Napi::TypeError::New(env, "GradReducer: bucket " + std::to_string(b) + " is not an array of tensors");
      auto list = v.As<Napi::Array>();
      if (list.Length() == 0) throw Napi::RangeError::New(env, "GradReducer: bucket " + std::to_string(b) + " is empty");
      s->params.emplace_back();
      s->hooked.emplace_back();
      for (uint32_t i = 0; i < list.Length(); i++) {
        TensorWrap* w = TensorWrap::From(list.Get(i));
        if (!w || !w->alive()) throw Napi::TypeError::New(env, "GradReducer: bucket " + std::to_string(b) + " item " + std::to_string(i) + " is not a live tensor");
        const at::Tensor& p = w->tensor();
        if (!p.is_leaf()) throw Napi::TypeError::New(env, "GradReducer: bucket " + std::to_string(b) + " item " + std::to_string(i) + " is not a leaf tensor (a parameter)");
        s->params.back().push_back(p);
        s->hooked.back().push_back(false);
      }
    }
    std::weak_ptr<ReducerState> weak = s;
    for (size_t b = 0; b < s->params.size(); b++) {
      for (size_t i = 0; i < s->params[b].size(); i++) {
        // No accumulator for a tensor that does not require grad: it never gets a gradient, so
        // its bucket does not wait for it (zeros are reduced in its place).
        auto acc = torch::autograd::impl::grad_accumulator(s->params[b][i]);
        if (!acc) continue;
        acc->add_post_hook(std::make_unique<ReadyHook>(weak, b, i));
        s->accumulators.push_back(acc);
        s->hooked[b][i] = true;
      }
    }
    size_t n = s->params.size();
    s->flat.resize(n);
    s->works.resize(n);
    s->pending.assign(n, 0);
    state_ = s;
  }

 private:
  std::shared_ptr<ReducerState> live(const char* what) {
    if (!state_) throw std::runtime_error(std::string(what) + ": the gradient reducer is closed");
    return state_;
  }
  Napi::Value Prepare(const Napi::CallbackInfo& info) {
    try {
      auto s = live("prepare");
      auto g = groupById(s->groupId);
      std::lock_guard<std::mutex> lock(s->mu);
      s->group = g;
      s->ready = s->hooked;
      for (auto& r : s->ready) r.flip();  // parameters without a hook count as ready
      for (size_t b = 0; b < s->params.size(); b++) {
        size_t waiting = 0;
        for (bool r : s->ready[b]) waiting += r ? 0 : 1;
        s->pending[b] = waiting;
        s->flat[b] = at::Tensor();
        s->works[b] = WorkPtr();
      }
      s->next = 0;
      s->launchedInBackward = 0;
      s->error.clear();
      s->armed = true;
      return info.Env().Undefined();
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string("GradReducer.prepare: ") + shortError(e));
    }
  }
  Napi::Value Finalize(const Napi::CallbackInfo& info) {
    auto t0 = std::chrono::steady_clock::now();
    size_t overlapped = 0;
    try {
      auto s = live("finalize");
      std::lock_guard<std::mutex> lock(s->mu);
      if (!s->armed) throw std::runtime_error("finalize() without prepare() before the backward pass");
      s->armed = false;
      auto g = s->group;
      // The group is only held for the step (pg.close() must be able to release it).
      struct Release {
        ReducerState& s;
        ~Release() { s.group.reset(); }
      } release{*s};
      c10::AutoGradMode noGrad(false);
      std::string who = "rank " + std::to_string(g->rank) + " of " + std::to_string(g->size);
      if (!s->error.empty()) throw std::runtime_error(who + ": launching a gradient all-reduce during backward failed: " + s->error);
      overlapped = s->launchedInBackward;
      // Buckets whose gradients did not all arrive (parameters unused in this step): their
      // gradients as they are, zeros where there is none, in bucket order as every rank.
      for (; s->next < s->params.size(); s->next++) s->launch(s->next);
      for (size_t b = 0; b < s->params.size(); b++) {
        waitWork(*g, s->works[b], "gradient allReduce");
        at::Tensor& flat = s->flat[b];
        flat.div_(g->size);
        int64_t off = 0;
        for (auto& p : s->params[b]) {
          int64_t n = p.numel();
          at::Tensor mean = flat.narrow(0, off, n).view(p.sizes());
          if (p.grad().defined()) p.mutable_grad().copy_(mean);
          else p.mutable_grad() = mean.clone(at::MemoryFormat::Contiguous);
          off += n;
        }
        flat = at::Tensor();
        s->works[b] = WorkPtr();
      }
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string("GradReducer.finalize: ") + shortError(e));
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    auto out = Napi::Object::New(info.Env());
    out.Set("ms", ms);
    out.Set("overlapped", double(overlapped));
    return out;
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    state_.reset();  // the hooks hold it weakly: from now on they do nothing
    return info.Env().Undefined();
  }

  std::shared_ptr<ReducerState> state_;
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
  exports.Set("GradReducer", GradReducerWrap::Define(env));
  exports.Set("ncclAvailable", Napi::Function::New(env, NcclAvailable, "ncclAvailable"));
}

}  // namespace aunce
