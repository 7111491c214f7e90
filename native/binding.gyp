{
  "targets": [
    {
      "target_name": "aunce",
      "sources": [
        "src/addon.cc",
        "src/args.cc",
        "src/tensor.cc",
        "src/ops_math.cc",
        "src/ops_nn.cc",
        "src/ops_shape.cc",
        "src/optim.cc",
        "src/runtime.cc",
        "src/device.cc",
        "src/dist.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node libtorch.cjs include)"
      ],
      "libraries": ["<!@(node libtorch.cjs libs)"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "<!@(node libtorch.cjs defines)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["<!@(node libtorch.cjs cflags)", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"]
    }
  ]
}
