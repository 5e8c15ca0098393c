// `make bench` entry point: every figure is printed as `name: value unit`.
// `clutch-bench idle` runs the idle CPU benchmark alone; `clutch-bench idle-client …` is the
// client process that benchmark starts. `clutch-bench scale`, `clutch-bench cache` and
// `clutch-bench cohorts` run the SDK scale benchmarks, the breakdown of a start from the cache
// file, and the million-member cohort figures alone; `clutch-bench engine` the evaluation figures;
// `clutch-bench wire` what stream events and Codable answers cost to write;
// `clutch-bench store` admin writes per second on PostgreSQL against SQLite;
// `clutch-bench console` the web console's flag list with 2,000 flags; `clutch-bench releases` the
// release guard simulation; `clutch-bench hooks` the scheduled-change and webhook figures;
// `clutch-bench replicas` the replica figures (1,000 streams over three replicas, OFREP per
// replica on PostgreSQL and SQLite); `clutch-bench attack` the kill switch under an SDK-key
// flood; `clutch-bench access` the admin API's latency with authorization against without it;
// `clutch-bench drill` the rolling-upgrade drill (scripts/drill.sh, not part of the
// default run). `clutch-bench refs`: the code reference scan of 100,000 files. `clutch-bench
// attributes`: OFREP evaluation with the seen-attribute recording on against off. `clutch-bench blocks`:
// the cost the block check adds to a change (a ratio). `clutch-bench approvals`: the time from a
// change request's approval (and its apply) to the change reaching 1,000 SDK streams.
// `clutch-bench usage`: a usage batch's write on SQLite, with the rows per variant against
// errors-only batches that write none.
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
case "cache":
    await CacheStartBenchmarks.run()
case "engine":
    EngineBenchmarks.run()
case "wire":
    WireBenchmarks.run()
case "store":
    await StoreWriteBenchmarks.run()
case "console":
    await ConsoleBenchmarks.run()
case "releases":
    ReleaseBenchmarks.run()
case "hooks":
    await ScheduleWebhookBenchmarks.run()
case "replicas":
    await ReplicaBenchmarks.run()
case "attack":
    await AttackBenchmarks.run()
case "access":
    await AccessBenchmarks.run()
case "drill":
    await DrillBenchmark.run()
case "refs":
    await RefsBenchmarks.run()
case "attributes":
    await SeenAttributeBenchmarks.run()
case "blocks":
    await BlockBenchmarks.run()
case "approvals":
    await ApprovalBenchmarks.run()
case "usage":
    await UsageWriteBenchmarks.run()
default:
    ReleaseBenchmarks.run()
    EngineBenchmarks.run()
    await SeenAttributeBenchmarks.run()
    WireBenchmarks.run()
    PatternBenchmarks.run()
    await RefsBenchmarks.run()
    await SDKBenchmarks.run()
    await ScaleBenchmarks.run()
    await CacheStartBenchmarks.run()
    await CohortBenchmarks.run()
    await StoreWriteBenchmarks.run()
    await UsageWriteBenchmarks.run()
    await BlockBenchmarks.run()
    await ApprovalBenchmarks.run()
    await ReplicaBenchmarks.run()
    await ConsoleBenchmarks.run()
    await AccessBenchmarks.run()
    await ScheduleWebhookBenchmarks.run()
    await AttackBenchmarks.run()
    await IdleBenchmark.run()
}
