// aunce shim: see native/gloo-shim/README.md
#pragma once
#include <chrono>
namespace gloo {
// Only named through shared_ptr in c10d's header; setTimeout appears in an inline virtual that is
// emitted (and called) by libtorch only.
class Context {
 public:
  void setTimeout(std::chrono::milliseconds timeout);
};
}  // namespace gloo
