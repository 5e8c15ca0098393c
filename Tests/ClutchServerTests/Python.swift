import ProcessTestSupport
import TestSupport

/// Whether `python3 -c "import <modules>"` succeeds here: the Python-driven tests skip, saying
/// why, where what they need is not installed.
func pythonCanImport(_ modules: String) -> Bool {
    Subprocess.succeeds(["/usr/bin/env", "python3", "-c", "import \(modules)"])
}

/// The port a Python helper server announces as its first line ("PORT n") in `outputPath`, read
/// by polling: a blocking pipe read would hold one of the few threads of the cooperative pool.
/// Stops the process and throws, naming `what`, when it ends or says nothing else within 30 s.
func announcedPort(of process: Subprocess, outputPath: String, what: String) async throws -> Int {
    var line = ""
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        line = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        if line.contains("\n") || !process.isRunning { break }
        try await Task.sleep(for: .milliseconds(10))
    }
    guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5).prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)) else {
        process.forceStop()
        throw TestFailure("\(what) did not start: \(line)")
    }
    return port
}
