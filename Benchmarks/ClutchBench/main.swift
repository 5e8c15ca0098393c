// `make bench` entry point: every figure is printed as `name: value unit`.
EngineBenchmarks.run()
PatternBenchmarks.run()
await SDKBenchmarks.run()
