// Neural-network ops: convolution, normalisation, pooling, activations, dropout, resampling and
// a few standard losses. Argument order follows torch.nn.functional.
#include "common.h"

namespace aunce {

#define OP(name, ...) registerOp(name, [](Args& a) -> Napi::Value __VA_ARGS__)

static void requireMkldnn() {
  if (!at::hasMKLDNN()) throw std::runtime_error("this libtorch was built without MKLDNN (oneDNN); check mkldnnAvailable() first");
}

// oneDNN takes the length of padding/stride/dilation as the conv's rank and divides by it
// unchecked (SIGFPE on a mismatch), so a 2-d conv gets exactly two of each or an error.
static std::vector<int64_t> pair2(Args& a, size_t i, int64_t def) {
  std::vector<int64_t> v = a.ints(i, {def, def});
  if (v.size() == 1) v.push_back(v[0]);
  if (v.size() != 2) a.fail(i, "one or two sizes");
  return v;
}
static void requireRank4(Args& a, size_t i) {
  if (a.tensor(i).dim() != 4) a.fail(i, "a 4-d tensor");
}

void registerNnOps() {
  // conv2d(x, weight, bias?, stride=1, padding=0, dilation=1, groups=1)
  OP("conv2d", {
    return a.ret(at::conv2d(a.tensor(0), a.tensor(1), a.optTensor(2), a.ints(3, {1}), a.ints(4, {0}), a.ints(5, {1}),
                            a.i64(6, 1)));
  });
  // oneDNN (MKLDNN) inference path: weights reordered once into oneDNN's blocked layout, then
  // convolutions on opaque "mkldnn" tensors (see to_mkldnn). Eager PyTorch reorders the weights
  // on every call and picks slower kernels at batch 1; frozen inference nets use this instead.
  // mkldnn_reorder_conv2d_weight(weight (mkldnn), padding, stride, dilation, groups)
  OP("mkldnn_reorder_conv2d_weight", {
    requireMkldnn();
    requireRank4(a, 0);
    return a.ret(at::mkldnn_reorder_conv2d_weight(a.tensor(0), pair2(a, 1, 0), pair2(a, 2, 1), pair2(a, 3, 1), a.i64(4, 1)));
  });
  // mkldnn_convolution(x, weight, bias?, padding, stride, dilation, groups): x and weight both
  // mkldnn (result mkldnn) or both strided (result strided, channels-last kept).
  OP("mkldnn_convolution", {
    requireMkldnn();
    requireRank4(a, 0);
    requireRank4(a, 1);
    return a.ret(at::mkldnn_convolution(a.tensor(0), a.tensor(1), a.optTensor(2), pair2(a, 3, 0), pair2(a, 4, 1),
                                        pair2(a, 5, 1), a.i64(6, 1)));
  });
  OP("conv1d", {
    return a.ret(at::conv1d(a.tensor(0), a.tensor(1), a.optTensor(2), a.ints(3, {1}), a.ints(4, {0}), a.ints(5, {1}),
                            a.i64(6, 1)));
  });
  // conv_transpose2d(x, weight, bias?, stride, padding, output_padding, groups, dilation)
  OP("conv_transpose2d", {
    return a.ret(at::conv_transpose2d(a.tensor(0), a.tensor(1), a.optTensor(2), a.ints(3, {1}), a.ints(4, {0}),
                                      a.ints(5, {0}), a.i64(6, 1), a.ints(7, {1})));
  });
  // batch_norm(x, weight?, bias?, runningMean?, runningVar?, training, momentum, eps): updates the
  // running statistics in place when training, as F.batch_norm does.
  OP("batch_norm", {
    return a.ret(at::batch_norm(a.tensor(0), a.optTensor(1), a.optTensor(2), a.optTensor(3), a.optTensor(4),
                                a.boolean(5, false), a.f64(6, 0.1), a.f64(7, 1e-5), true));
  });
  OP("layer_norm", {
    return a.ret(at::layer_norm(a.tensor(0), a.ints(1), a.optTensor(2), a.optTensor(3), a.f64(4, 1e-5), true));
  });
  OP("group_norm", {
    return a.ret(at::group_norm(a.tensor(0), a.i64(1), a.optTensor(2), a.optTensor(3), a.f64(4, 1e-5), true));
  });

  // ---- activations ----
  OP("relu", { return a.ret(at::relu(a.tensor(0))); });
  OP("relu_", { return a.ret(at::relu_(const_cast<at::Tensor&>(a.tensor(0)))); });
  OP("relu6", { return a.ret(at::hardtanh(a.tensor(0), 0, 6)); });
  OP("leaky_relu", { return a.ret(at::leaky_relu(a.tensor(0), a.scalar(1, 0.01))); });
  OP("gelu", { return a.ret(at::gelu(a.tensor(0), a.str(1, "none"))); });
  OP("silu", { return a.ret(at::silu(a.tensor(0))); });
  OP("elu", { return a.ret(at::elu(a.tensor(0), a.scalar(1, 1.0))); });
  OP("softplus", { return a.ret(at::softplus(a.tensor(0), a.scalar(1, 1), a.scalar(2, 20))); });
  OP("hardsigmoid", { return a.ret(at::hardsigmoid(a.tensor(0))); });
  OP("softmax", { return a.ret(at::softmax(a.tensor(0), a.i64(1), a.optDtype(2))); });
  OP("log_softmax", { return a.ret(at::log_softmax(a.tensor(0), a.i64(1), a.optDtype(2))); });

  // ---- pooling ----
  // max_pool2d(x, kernel, stride=kernel, padding=0, dilation=1, ceilMode=false)
  OP("max_pool2d", {
    auto k = a.ints(1);
    return a.ret(at::max_pool2d(a.tensor(0), k, a.ints(2, k), a.ints(3, {0}), a.ints(4, {1}), a.boolean(5, false)));
  });
  // avg_pool2d(x, kernel, stride=kernel, padding=0, ceilMode=false, countIncludePad=true)
  OP("avg_pool2d", {
    auto k = a.ints(1);
    return a.ret(at::avg_pool2d(a.tensor(0), k, a.ints(2, k), a.ints(3, {0}), a.boolean(4, false), a.boolean(5, true)));
  });
  OP("adaptive_avg_pool2d", { return a.ret(at::adaptive_avg_pool2d(a.tensor(0), a.ints(1))); });
  OP("adaptive_max_pool2d", { return a.ret(std::get<0>(at::adaptive_max_pool2d(a.tensor(0), a.ints(1)))); });
  OP("adaptive_avg_pool1d", { return a.ret(at::adaptive_avg_pool1d(a.tensor(0), a.ints(1))); });

  // interpolate(x, size[2], mode = nearest|bilinear|bicubic, alignCorners=false, antialias=false)
  OP("interpolate", {
    const at::Tensor& x = a.tensor(0);
    auto size = a.ints(1);
    std::string mode = a.str(2, "nearest");
    bool align = a.boolean(3, false);
    bool aa = a.boolean(4, false);
    if (mode == "nearest") return a.ret(at::upsample_nearest2d(x, size, c10::nullopt, c10::nullopt));
    if (mode == "bilinear") {
      if (aa) return a.ret(at::_upsample_bilinear2d_aa(x, size, align, c10::nullopt, c10::nullopt));
      return a.ret(at::upsample_bilinear2d(x, size, align, c10::nullopt, c10::nullopt));
    }
    if (mode == "bicubic") {
      if (aa) return a.ret(at::_upsample_bicubic2d_aa(x, size, align, c10::nullopt, c10::nullopt));
      return a.ret(at::upsample_bicubic2d(x, size, align, c10::nullopt, c10::nullopt));
    }
    a.fail(2, "'nearest', 'bilinear' or 'bicubic'");
  });
  // grid_sample(x, grid, mode=bilinear, padding=zeros, alignCorners=false)
  OP("grid_sample", {
    std::string m = a.str(2, "bilinear"), p = a.str(3, "zeros");
    int64_t mode = m == "bilinear" ? 0 : m == "nearest" ? 1 : m == "bicubic" ? 2 : -1;
    int64_t pad = p == "zeros" ? 0 : p == "border" ? 1 : p == "reflection" ? 2 : -1;
    if (mode < 0) a.fail(2, "'bilinear', 'nearest' or 'bicubic'");
    if (pad < 0) a.fail(3, "'zeros', 'border' or 'reflection'");
    return a.ret(at::grid_sampler(a.tensor(0), a.tensor(1), mode, pad, a.boolean(4, false)));
  });
  OP("affine_grid", { return a.ret(at::affine_grid_generator(a.tensor(0), a.ints(1), a.boolean(2, false))); });

  // pad(x, pads (last dim first, as F.pad), mode = constant|reflect|replicate|circular, value=0)
  OP("pad", {
    std::string mode = a.str(2, "constant");
    if (mode == "constant") return a.ret(at::pad(a.tensor(0), a.ints(1), mode, a.f64(3, 0.0)));
    return a.ret(at::pad(a.tensor(0), a.ints(1), mode, c10::nullopt));
  });

  // dropout(x, p, training)
  OP("dropout", { return a.ret(at::dropout(a.tensor(0), a.f64(1, 0.5), a.boolean(2, true))); });
  OP("embedding", { return a.ret(at::embedding(a.tensor(0), a.tensor(1))); });

  // ---- losses (reduction: 0 none, 1 mean, 2 sum; as at::Reduction) ----
  auto reduction = [](Args& a, size_t i) -> int64_t {
    std::string r = a.str(i, "mean");
    if (r == "none") return 0;
    if (r == "mean") return 1;
    if (r == "sum") return 2;
    a.fail(i, "'none', 'mean' or 'sum'");
  };
  // cross_entropy(logits, target, weight?, reduction, ignoreIndex=-100, labelSmoothing=0)
  registerOp("cross_entropy", [reduction](Args& a) -> Napi::Value {
    return a.ret(at::cross_entropy_loss(a.tensor(0), a.tensor(1), a.optTensor(2), reduction(a, 3), a.i64(4, -100),
                                        a.f64(5, 0.0)));
  });
  registerOp("nll_loss", [reduction](Args& a) -> Napi::Value {
    return a.ret(at::nll_loss(a.tensor(0), a.tensor(1), a.optTensor(2), reduction(a, 3), a.i64(4, -100)));
  });
  registerOp("mse_loss", [reduction](Args& a) -> Napi::Value {
    return a.ret(at::mse_loss(a.tensor(0), a.tensor(1), reduction(a, 2)));
  });
  registerOp("binary_cross_entropy_with_logits", [reduction](Args& a) -> Napi::Value {
    return a.ret(at::binary_cross_entropy_with_logits(a.tensor(0), a.tensor(1), a.optTensor(2), a.optTensor(3),
                                                      reduction(a, 4)));
  });
}

}  // namespace aunce
