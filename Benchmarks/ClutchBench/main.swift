// `make bench` entry point: every figure is printed as `name: value unit`.
// `clutch-bench scale` and `clutch-bench cohorts` run one group alone.
// `clutch-bench idle` runs the idle CPU benchmark alone; `clutch-bench idle-client …` is the
// client process that benchmark starts.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "idle-client":
    exit(await IdleClient.run(Array(arguments.dropFirst())))
case "idle":
    await IdleBenchmark.run()
case "scale":
    await ScaleBenchmarks.run()
case "cohorts":
    await CohortBenchmarks.run()
default:
    EngineBenchmarks.run()
    PatternBenchmarks.run()
    await SDKBenchmarks.run()
    await ScaleBenchmarks.run()
    await CohortBenchmarks.run()
    await IdleBenchmark.run()
}
