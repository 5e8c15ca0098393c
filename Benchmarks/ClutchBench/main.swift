// `make bench` entry point: every figure is printed as `name: value unit`.
// `clutch-bench idle` runs the idle CPU benchmark alone; `clutch-bench idle-client …` is the
// client process that benchmark starts. `clutch-bench scale` and `clutch-bench cache` run the
// SDK scale benchmarks and the breakdown of a start from the cache file alone.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "idle-client":
    exit(await IdleClient.run(Array(arguments.dropFirst())))
case "idle":
    await IdleBenchmark.run()
case "scale":
    await ScaleBenchmarks.run()
case "cache":
    await CacheStartBenchmarks.run()
default:
    EngineBenchmarks.run()
    PatternBenchmarks.run()
    await SDKBenchmarks.run()
    await ScaleBenchmarks.run()
    await CacheStartBenchmarks.run()
    await IdleBenchmark.run()
}
