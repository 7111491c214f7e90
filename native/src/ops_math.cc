// Element-wise maths, reductions, comparisons, linear algebra and tensor factories.
// Each entry is a thin call of libtorch's own op; argument order follows torch's Python API.
#include "common.h"

namespace aunce {

#define OP(name, ...) registerOp(name, [](Args& a) -> Napi::Value __VA_ARGS__)

// Binary op that takes a tensor or a number as second operand.
#define BINARY(name, fn)                                                     \
  OP(name, {                                                                 \
    const at::Tensor& x = a.tensor(0);                                       \
    if (a.isTensor(1)) return a.ret(fn(x, a.tensor(1)));                     \
    return a.ret(fn(x, a.scalar(1)));                                        \
  })

#define UNARY(name, fn) OP(name, { return a.ret(fn(a.tensor(0))); })

// Reduction over optional dims (null/undefined = all) with keepdim.
#define REDUCE(name, fn)                                                                   \
  OP(name, {                                                                               \
    const at::Tensor& x = a.tensor(0);                                                     \
    if (!a.has(1)) return a.ret(fn(x, std::vector<int64_t>{}, a.boolean(2, false), a.optDtype(3))); \
    return a.ret(fn(x, a.ints(1), a.boolean(2, false), a.optDtype(3)));                    \
  })

void registerMathOps() {
  // ---- arithmetic ----
  OP("add", {
    const at::Tensor& x = a.tensor(0);
    at::Scalar alpha = a.scalar(2, 1);
    if (a.isTensor(1)) return a.ret(at::add(x, a.tensor(1), alpha));
    return a.ret(at::add(x, a.scalar(1), alpha));
  });
  OP("sub", {
    const at::Tensor& x = a.tensor(0);
    at::Scalar alpha = a.scalar(2, 1);
    if (a.isTensor(1)) return a.ret(at::sub(x, a.tensor(1), alpha));
    return a.ret(at::sub(x, a.scalar(1), alpha));
  });
  OP("rsub", { return a.ret(at::rsub(a.tensor(0), a.scalar(1))); });  // number - tensor
  BINARY("mul", at::mul);
  BINARY("div", at::div);
  OP("rdiv", { return a.ret(at::reciprocal(a.tensor(0)) * a.scalar(1)); });  // number / tensor
  BINARY("remainder", at::remainder);
  OP("floor_divide", {
    if (a.isTensor(1)) return a.ret(at::div(a.tensor(0), a.tensor(1), "floor"));
    return a.ret(at::div(a.tensor(0), a.scalar(1), "floor"));
  });
  OP("pow", {
    const at::Tensor& x = a.tensor(0);
    if (a.isTensor(1)) return a.ret(at::pow(x, a.tensor(1)));
    return a.ret(at::pow(x, a.scalar(1)));
  });
  OP("rpow", { return a.ret(at::pow(a.scalar(1), a.tensor(0))); });  // number ** tensor
  OP("maximum", { return a.ret(at::maximum(a.tensor(0), a.tensorOrScalar(1, a.tensor(0)))); });
  OP("minimum", { return a.ret(at::minimum(a.tensor(0), a.tensorOrScalar(1, a.tensor(0)))); });
  OP("atan2", { return a.ret(at::atan2(a.tensor(0), a.tensor(1))); });
  OP("lerp", {
    if (a.isTensor(2)) return a.ret(at::lerp(a.tensor(0), a.tensor(1), a.tensor(2)));
    return a.ret(at::lerp(a.tensor(0), a.tensor(1), a.scalar(2)));
  });
  OP("addcmul", { return a.ret(at::addcmul(a.tensor(0), a.tensor(1), a.tensor(2), a.scalar(3, 1))); });
  OP("addcdiv", { return a.ret(at::addcdiv(a.tensor(0), a.tensor(1), a.tensor(2), a.scalar(3, 1))); });

  UNARY("neg", at::neg);
  UNARY("abs", at::abs);
  UNARY("sign", at::sign);
  UNARY("exp", at::exp);
  UNARY("expm1", at::expm1);
  UNARY("log", at::log);
  UNARY("log1p", at::log1p);
  UNARY("log2", at::log2);
  UNARY("sqrt", at::sqrt);
  UNARY("rsqrt", at::rsqrt);
  UNARY("reciprocal", at::reciprocal);
  UNARY("square", at::square);
  UNARY("floor", at::floor);
  UNARY("ceil", at::ceil);
  UNARY("round", at::round);
  UNARY("trunc", at::trunc);
  UNARY("sin", at::sin);
  UNARY("cos", at::cos);
  UNARY("tan", at::tan);
  UNARY("tanh", at::tanh);
  UNARY("atan", at::atan);
  UNARY("erf", at::erf);
  UNARY("erfinv", at::erfinv);
  UNARY("sigmoid", at::sigmoid);
  UNARY("isnan", at::isnan);
  UNARY("isfinite", at::isfinite);
  UNARY("logical_not", at::logical_not);
  OP("clamp", { return a.ret(at::clamp(a.tensor(0), a.has(1) ? c10::optional<at::Scalar>(a.scalar(1)) : c10::nullopt,
                                       a.has(2) ? c10::optional<at::Scalar>(a.scalar(2)) : c10::nullopt)); });
  OP("clamp_t", { return a.ret(at::clamp(a.tensor(0), a.optTensor(1), a.optTensor(2))); });

  // ---- comparisons and logic ----
  BINARY("eq", at::eq);
  BINARY("ne", at::ne);
  BINARY("lt", at::lt);
  BINARY("le", at::le);
  BINARY("gt", at::gt);
  BINARY("ge", at::ge);
  OP("logical_and", { return a.ret(at::logical_and(a.tensor(0), a.tensor(1))); });
  OP("logical_or", { return a.ret(at::logical_or(a.tensor(0), a.tensor(1))); });
  OP("logical_xor", { return a.ret(at::logical_xor(a.tensor(0), a.tensor(1))); });
  OP("allclose", { return a.retBool(at::allclose(a.tensor(0), a.tensor(1), a.f64(2, 1e-5), a.f64(3, 1e-8))); });
  OP("equal", { return a.retBool(at::equal(a.tensor(0), a.tensor(1))); });
  OP("where", {
    const at::Tensor& c = a.tensor(0);
    // Scalars take the dtype of the tensor operand, as torch.where does.
    if (a.isTensor(1) && a.isTensor(2)) return a.ret(at::where(c, a.tensor(1), a.tensor(2)));
    if (a.isTensor(1)) return a.ret(at::where(c, a.tensor(1), a.tensorOrScalar(2, a.tensor(1))));
    if (a.isTensor(2)) return a.ret(at::where(c, a.tensorOrScalar(1, a.tensor(2)), a.tensor(2)));
    return a.ret(at::where(c, a.scalar(1), a.scalar(2)));
  });

  // ---- reductions ----
  REDUCE("sum", at::sum);
  REDUCE("mean", at::mean);
  OP("prod", {
    if (!a.has(1)) return a.ret(at::prod(a.tensor(0), a.optDtype(3)));
    return a.ret(at::prod(a.tensor(0), a.i64(1), a.boolean(2, false), a.optDtype(3)));
  });
  OP("amax", { return a.ret(at::amax(a.tensor(0), a.ints(1, {}), a.boolean(2, false))); });
  OP("amin", { return a.ret(at::amin(a.tensor(0), a.ints(1, {}), a.boolean(2, false))); });
  OP("max", {  // all elements -> 0-dim tensor; with a dim -> [values, indices]
    if (!a.has(1)) return a.ret(at::max(a.tensor(0)));
    return a.ret(at::max(a.tensor(0), a.i64(1), a.boolean(2, false)));
  });
  OP("min", {
    if (!a.has(1)) return a.ret(at::min(a.tensor(0)));
    return a.ret(at::min(a.tensor(0), a.i64(1), a.boolean(2, false)));
  });
  OP("argmax", { return a.ret(at::argmax(a.tensor(0), a.optI64(1), a.boolean(2, false))); });
  OP("argmin", { return a.ret(at::argmin(a.tensor(0), a.optI64(1), a.boolean(2, false))); });
  OP("std", {
    if (!a.has(1)) return a.ret(at::std(a.tensor(0), a.boolean(2, true)));
    return a.ret(at::std(a.tensor(0), at::OptionalIntArrayRef(a.ints(1)), a.boolean(2, true), a.boolean(3, false)));
  });
  OP("var", {
    if (!a.has(1)) return a.ret(at::var(a.tensor(0), a.boolean(2, true)));
    return a.ret(at::var(a.tensor(0), at::OptionalIntArrayRef(a.ints(1)), a.boolean(2, true), a.boolean(3, false)));
  });
  OP("logsumexp", { return a.ret(at::logsumexp(a.tensor(0), a.ints(1), a.boolean(2, false))); });
  OP("norm", {  // p-norm over dims (all when null)
    at::Scalar p = a.scalar(1, 2);
    if (!a.has(2)) return a.ret(at::norm(a.tensor(0), p));
    return a.ret(at::norm(a.tensor(0), p, a.ints(2), a.boolean(3, false)));
  });
  OP("all", {
    if (!a.has(1)) return a.ret(at::all(a.tensor(0)));
    return a.ret(at::all(a.tensor(0), a.i64(1), a.boolean(2, false)));
  });
  OP("any", {
    if (!a.has(1)) return a.ret(at::any(a.tensor(0)));
    return a.ret(at::any(a.tensor(0), a.i64(1), a.boolean(2, false)));
  });
  OP("cumsum", { return a.ret(at::cumsum(a.tensor(0), a.i64(1), a.optDtype(2))); });
  OP("topk", { return a.ret(at::topk(a.tensor(0), a.i64(1), a.i64(2, -1), a.boolean(3, true), a.boolean(4, true))); });
  OP("sort", { return a.ret(at::sort(a.tensor(0), a.i64(1, -1), a.boolean(2, false))); });
  OP("argsort", { return a.ret(at::argsort(a.tensor(0), a.i64(1, -1), a.boolean(2, false))); });

  // ---- linear algebra ----
  OP("matmul", { return a.ret(at::matmul(a.tensor(0), a.tensor(1))); });
  OP("mm", { return a.ret(at::mm(a.tensor(0), a.tensor(1))); });
  OP("bmm", { return a.ret(at::bmm(a.tensor(0), a.tensor(1))); });
  OP("addmm", { return a.ret(at::addmm(a.tensor(0), a.tensor(1), a.tensor(2), a.scalar(3, 1), a.scalar(4, 1))); });
  OP("baddbmm", { return a.ret(at::baddbmm(a.tensor(0), a.tensor(1), a.tensor(2), a.scalar(3, 1), a.scalar(4, 1))); });
  OP("outer", { return a.ret(at::outer(a.tensor(0), a.tensor(1))); });
  OP("einsum", { return a.ret(at::einsum(a.str(0), a.tensors(1))); });
  OP("linear", { return a.ret(at::linear(a.tensor(0), a.tensor(1), a.optTensor(2))); });

  // ---- factories: (shape, dtype?, device?, ...) ----
  OP("zeros", { return a.ret(at::zeros(a.ints(0), a.options(1, 2))); });
  OP("ones", { return a.ret(at::ones(a.ints(0), a.options(1, 2))); });
  OP("empty", { return a.ret(at::empty(a.ints(0), a.options(1, 2))); });
  OP("full", { return a.ret(at::full(a.ints(0), a.scalar(1), a.options(2, 3))); });
  OP("rand", { return a.ret(at::rand(a.ints(0), a.options(1, 2))); });
  OP("randn", { return a.ret(at::randn(a.ints(0), a.options(1, 2))); });
  OP("randint", { return a.ret(at::randint(a.i64(0), a.i64(1), a.ints(2), a.options(3, 4).dtype(a.has(3) ? a.dtype(3) : at::kLong))); });
  OP("randperm", { return a.ret(at::randperm(a.i64(0), a.options(1, 2).dtype(a.has(1) ? a.dtype(1) : at::kLong))); });
  OP("arange", {
    at::TensorOptions o = a.options(3, 4);
    if (!a.has(3)) {
      // torch.arange infers int64 from integer arguments and float32 otherwise.
      bool ints = a.scalar(0).isIntegral(false) && a.scalar(1).isIntegral(false) && a.scalar(2, 1).isIntegral(false);
      o = o.dtype(ints ? at::kLong : at::kFloat);
    }
    return a.ret(at::arange(a.scalar(0), a.scalar(1), a.scalar(2, 1), o));
  });
  OP("linspace", { return a.ret(at::linspace(a.scalar(0), a.scalar(1), a.i64(2), a.options(3, 4))); });
  OP("eye", { return a.ret(at::eye(a.i64(0), a.i64(1, a.i64(0)), a.options(2, 3))); });
  OP("scalar_tensor", { return a.ret(at::scalar_tensor(a.scalar(0), a.options(1, 2))); });
  OP("zeros_like", { return a.ret(at::zeros_like(a.tensor(0))); });
  OP("ones_like", { return a.ret(at::ones_like(a.tensor(0))); });
  OP("empty_like", { return a.ret(at::empty_like(a.tensor(0))); });
  OP("full_like", { return a.ret(at::full_like(a.tensor(0), a.scalar(1))); });
  OP("rand_like", { return a.ret(at::rand_like(a.tensor(0))); });
  OP("randn_like", { return a.ret(at::randn_like(a.tensor(0))); });
  OP("bernoulli", {  // (probabilities) or (like, p)
    if (a.has(1)) return a.ret(at::bernoulli(a.tensor(0), a.f64(1)));
    return a.ret(at::bernoulli(a.tensor(0)));
  });
  OP("multinomial", { return a.ret(at::multinomial(a.tensor(0), a.i64(1), a.boolean(2, false))); });
  OP("one_hot", { return a.ret(at::one_hot(a.tensor(0), a.i64(1, -1))); });
}

}  // namespace aunce
