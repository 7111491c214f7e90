// aunce shim: see native/gloo-shim/README.md
#pragma once
#include "gloo/context.h"
