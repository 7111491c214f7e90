// Shape, layout, indexing, conversion and in-place ops.
#include "common.h"

namespace aunce {

#define OP(name, ...) registerOp(name, [](Args& a) -> Napi::Value __VA_ARGS__)
// In-place ops return the same handle's tensor in a new handle; callers dispose either.
#define MUT(i) const_cast<at::Tensor&>(a.tensor(i))

void registerShapeOps() {
  OP("reshape", { return a.ret(at::reshape(a.tensor(0), a.ints(1))); });
  OP("view", { return a.ret(a.tensor(0).view(a.ints(1))); });
  OP("permute", { return a.ret(a.tensor(0).permute(a.ints(1))); });
  OP("transpose", { return a.ret(at::transpose(a.tensor(0), a.i64(1), a.i64(2))); });
  OP("t", { return a.ret(a.tensor(0).t()); });
  OP("contiguous", { return a.ret(a.tensor(0).contiguous(a.memoryFormat(1))); });
  OP("flatten", { return a.ret(at::flatten(a.tensor(0), a.i64(1, 0), a.i64(2, -1))); });
  OP("unflatten", { return a.ret(a.tensor(0).unflatten(a.i64(1), a.ints(2))); });
  OP("squeeze", {
    if (!a.has(1)) return a.ret(at::squeeze(a.tensor(0)));
    return a.ret(at::squeeze(a.tensor(0), a.i64(1)));
  });
  OP("unsqueeze", { return a.ret(at::unsqueeze(a.tensor(0), a.i64(1))); });
  OP("expand", { return a.ret(a.tensor(0).expand(a.ints(1))); });
  OP("expand_as", { return a.ret(a.tensor(0).expand_as(a.tensor(1))); });
  OP("broadcast_to", { return a.ret(at::broadcast_to(a.tensor(0), a.ints(1))); });
  OP("repeat", { return a.ret(a.tensor(0).repeat(a.ints(1))); });
  OP("repeat_interleave", { return a.ret(at::repeat_interleave(a.tensor(0), a.i64(1), a.optI64(2))); });
  OP("cat", { return a.ret(at::cat(a.tensors(0), a.i64(1, 0))); });
  OP("stack", { return a.ret(at::stack(a.tensors(0), a.i64(1, 0))); });
  OP("chunk", { return a.ret(at::chunk(a.tensor(0), a.i64(1), a.i64(2, 0))); });
  OP("split", {  // split(x, size | sizes[], dim)
    if (a.isNumber(1)) return a.ret(at::split(a.tensor(0), a.i64(1), a.i64(2, 0)));
    return a.ret(at::split_with_sizes(a.tensor(0), a.ints(1), a.i64(2, 0)));
  });
  OP("unbind", { return a.ret(at::unbind(a.tensor(0), a.i64(1, 0))); });
  OP("roll", { return a.ret(at::roll(a.tensor(0), a.ints(1), a.ints(2, {}))); });
  OP("flip", { return a.ret(at::flip(a.tensor(0), a.ints(1))); });
  OP("tril", { return a.ret(at::tril(a.tensor(0), a.i64(1, 0))); });
  OP("triu", { return a.ret(at::triu(a.tensor(0), a.i64(1, 0))); });
  OP("diag", { return a.ret(at::diag(a.tensor(0), a.i64(1, 0))); });
  OP("diagonal", { return a.ret(at::diagonal(a.tensor(0), a.i64(1, 0), a.i64(2, 0), a.i64(3, 1))); });
  OP("unfold", { return a.ret(a.tensor(0).unfold(a.i64(1), a.i64(2), a.i64(3))); });
  OP("meshgrid", { return a.ret(at::meshgrid(a.tensors(0), a.str(1, "ij"))); });

  // ---- indexing ----
  OP("narrow", { return a.ret(at::narrow(a.tensor(0), a.i64(1), a.i64(2), a.i64(3))); });
  OP("select", { return a.ret(at::select(a.tensor(0), a.i64(1), a.i64(2))); });
  // slice(x, dim, start?, end?, step=1)
  OP("slice", { return a.ret(at::slice(a.tensor(0), a.i64(1), a.optI64(2), a.optI64(3), a.i64(4, 1))); });
  OP("gather", { return a.ret(at::gather(a.tensor(0), a.i64(1), a.tensor(2))); });
  OP("scatter", {  // scatter(x, dim, index, src tensor | number)
    if (a.isTensor(3)) return a.ret(at::scatter(a.tensor(0), a.i64(1), a.tensor(2), a.tensor(3)));
    return a.ret(at::scatter(a.tensor(0), a.i64(1), a.tensor(2), a.scalar(3)));
  });
  OP("scatter_add", { return a.ret(at::scatter_add(a.tensor(0), a.i64(1), a.tensor(2), a.tensor(3))); });
  OP("index_select", { return a.ret(at::index_select(a.tensor(0), a.i64(1), a.tensor(2))); });
  OP("index", { return a.ret(at::index(a.tensor(0), a.optTensors(1))); });
  OP("index_put", { return a.ret(at::index_put(a.tensor(0), a.optTensors(1), a.tensor(2), a.boolean(3, false))); });
  OP("masked_fill", {
    if (a.isTensor(2)) return a.ret(at::masked_fill(a.tensor(0), a.tensor(1), a.tensor(2)));
    return a.ret(at::masked_fill(a.tensor(0), a.tensor(1), a.scalar(2)));
  });
  OP("masked_select", { return a.ret(at::masked_select(a.tensor(0), a.tensor(1))); });
  OP("nonzero", { return a.ret(at::nonzero(a.tensor(0))); });

  // ---- conversion ----
  OP("to_dtype", { return a.ret(a.tensor(0).to(a.dtype(1))); });
  OP("to_device", {
    try {
      // non_blocking (arg 2): an asynchronous copy, as torch's .to(device, non_blocking=True) from
      // pinned memory; the caller keeps the source alive until the stream has used it.
      return a.ret(a.tensor(0).to(parseDevice(a.str(1)), a.boolean(2, false)));
    } catch (const std::invalid_argument& e) {
      throw Napi::Error::New(a.env(), std::string("to_device: ") + e.what());
    }
  });
  // Page-locked host copy (needs a CUDA engine), for asynchronous host-to-device copies.
  OP("pin_memory", { return a.ret(a.tensor(0).pin_memory()); });
  OP("is_pinned", { return a.retBool(a.tensor(0).is_pinned()); });
  // Layout: strided <-> oneDNN's opaque blocked layout (float32, CPU; for frozen inference nets).
  OP("to_mkldnn", { return a.ret(a.tensor(0).to_mkldnn()); });
  OP("to_dense", { return a.ret(a.tensor(0).to_dense()); });
  OP("is_mkldnn", { return a.retBool(a.tensor(0).is_mkldnn()); });
  OP("clone", { return a.ret(a.tensor(0).clone(a.memoryFormat(1))); });
  OP("detach", { return a.ret(a.tensor(0).detach()); });
  OP("alias", { return a.ret(a.tensor(0)); });  // a new handle to the same tensor

  // ---- in place (on tensors that need no grad, or under no-grad) ----
  OP("add_", {
    if (a.isTensor(1)) return a.ret(MUT(0).add_(a.tensor(1), a.scalar(2, 1)));
    return a.ret(MUT(0).add_(a.scalar(1), a.scalar(2, 1)));
  });
  OP("sub_", {
    if (a.isTensor(1)) return a.ret(MUT(0).sub_(a.tensor(1), a.scalar(2, 1)));
    return a.ret(MUT(0).sub_(a.scalar(1), a.scalar(2, 1)));
  });
  OP("mul_", {
    if (a.isTensor(1)) return a.ret(MUT(0).mul_(a.tensor(1)));
    return a.ret(MUT(0).mul_(a.scalar(1)));
  });
  OP("div_", {
    if (a.isTensor(1)) return a.ret(MUT(0).div_(a.tensor(1)));
    return a.ret(MUT(0).div_(a.scalar(1)));
  });
  OP("copy_", { return a.ret(MUT(0).copy_(a.tensor(1))); });
  OP("fill_", { return a.ret(MUT(0).fill_(a.scalar(1))); });
  OP("zero_", { return a.ret(MUT(0).zero_()); });
  OP("clamp_", {
    return a.ret(MUT(0).clamp_(a.has(1) ? c10::optional<at::Scalar>(a.scalar(1)) : c10::nullopt,
                               a.has(2) ? c10::optional<at::Scalar>(a.scalar(2)) : c10::nullopt));
  });
  OP("uniform_", { return a.ret(MUT(0).uniform_(a.f64(1, 0.0), a.f64(2, 1.0))); });
  OP("normal_", { return a.ret(MUT(0).normal_(a.f64(1, 0.0), a.f64(2, 1.0))); });
  OP("masked_fill_", { return a.ret(MUT(0).masked_fill_(a.tensor(1), a.scalar(2))); });
  OP("addcmul_", { return a.ret(MUT(0).addcmul_(a.tensor(1), a.tensor(2), a.scalar(3, 1))); });
  OP("lerp_", { return a.ret(MUT(0).lerp_(a.tensor(1), a.scalar(2))); });
}

}  // namespace aunce
