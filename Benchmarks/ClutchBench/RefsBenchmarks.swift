import ClutchRefs
import Foundation
import ProcessTestSupport

/// `clutch refs scan` over a generated git work tree of 100,000 files (100 directories of 1,000
/// source files of about 40 lines, a reference in one file of 10) with 1,000 flag keys, each
/// also a generated accessor: what a CI build pays. The figure covers what the command does
/// after fetching the flags: `git ls-files`, then every file read once and matched, in parallel
/// on every core. Goal: at least 20,000 files a second on 2 cores.
enum RefsBenchmarks {
    static let directories = 100
    static let filesPerDirectory = 1_000
    static let flagCount = 1_000
    static let rounds = 3

    static func run() async {
        do {
            try await measure()
        } catch {
            print("refs_scan_error: \(error)")
        }
    }

    static func measure() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-bench-refs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let keys = (0..<flagCount).map { "feature-\($0)-rollout" }
        var expected = 0
        for directory in 0..<directories {
            let folder = root.appendingPathComponent("module\(directory)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in 0..<filesPerDirectory {
                let index = directory * filesPerDirectory + file
                var text = "import Foundation\n\n/// Generated file \(index) for the code reference benchmark.\nstruct Component\(index) {\n"
                for line in 0..<36 {
                    text += "    func step\(line)(_ value: Int) -> Int { value &* \(line + 1) &+ \(index % 97) } // \"feature-\(line)\" is not a key\n"
                }
                if index % 10 == 0 {
                    // A quoted key and a generated accessor, on two lines.
                    text += "    let on = client.bool(\"\(keys[index % flagCount])\", default: false)\n"
                    text += "    let typed = client.flags.\(FlagNames.accessor(for: keys[(index / 10) % flagCount]))(for: context)\n"
                    expected += 2
                }
                text += "}\n"
                try Data(text.utf8).write(to: folder.appendingPathComponent("Component\(index).swift"))
            }
        }
        for arguments in [["init", "-q"], ["add", "-A"]] {
            let outcome = try await Subprocess.run(["git", "-C", root.path] + arguments, timeout: .seconds(600))
            guard outcome.status == 0 else { throw BenchError("git \(arguments.joined(separator: " ")): \(outcome.stderr)") }
        }

        let scanner = RefScanner(matcher: ReferenceMatcher(names: RefsConfiguration().names(flags: keys)))
        var seconds: [Double] = []
        var files = 0
        var bytes = 0
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            let listed = try GitFiles.tracked(in: root.path)
            let result = await scanner.scan(directory: root.path, files: listed)
            seconds.append(Bench.seconds(ContinuousClock.now - start))
            guard result.references.count == expected, result.scanned == directories * filesPerDirectory else {
                throw BenchError("found \(result.references.count) references in \(result.scanned) files, expected \(expected) in \(directories * filesPerDirectory)")
            }
            files = result.scanned
            bytes = 0
        }
        for file in try FileManager.default.subpathsOfDirectory(atPath: root.path) where file.hasSuffix(".swift") {
            bytes += (try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(file).path)[.size] as? Int) ?? 0
        }
        let median = Bench.median(seconds)
        Bench.report("refs_scan_files_per_second", Double(files) / median, "files/s")
        Bench.report("refs_scan_megabytes_per_second", Double(bytes) / 1e6 / median, "MB/s")
        Bench.report("refs_scan_100k_files_1000_flags", median * 1000, "ms")
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
