import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What git says about a source tree: the files it tracks (so `.gitignore` is respected and
/// build output never scanned), the branch and the commit. Runs `git` with `posix_spawnp`
/// rather than Foundation's `Process` (which can crash on Linux when another thread opens
/// descriptors, see the tests' `Subprocess`), reading its output to the end on the calling thread.
public enum GitFiles {
    /// The files git tracks under `directory`, relative to it (`git ls-files -z`): submodules
    /// and symbolic links are listed as git lists them, and the scanner skips what is not a
    /// regular file.
    public static func tracked(in directory: String) throws -> [String] {
        let output = try run(["git", "-C", directory, "ls-files", "-z", "--cached"])
        return output.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `git rev-parse` of `revision` in `directory` (`--abbrev-ref HEAD`: the branch; `--short HEAD`: the commit).
    public static func revParse(_ arguments: [String], in directory: String) throws -> String {
        let output = try run(["git", "-C", directory, "rev-parse"] + arguments)
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `argv` to its end; its standard output, or ``GitError`` with the first line of its error output.
    static func run(_ argv: [String]) throws -> [UInt8] {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw GitError("cannot run git: \(String(cString: strerror(errno)))") }
        // Neither end leaks into another program; git's standard output is a copy made for it.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-git-\(UUID().uuidString)").path
        defer { unlink(errors) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The CLI ignores SIGPIPE (its HTTP client does); git gets the default back.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var reset = sigset_t()
        sigemptyset(&reset)
        sigaddset(&reset, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &reset)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = arguments.withUnsafeBufferPointer { args -> Int32 in
            guard let argp = args.baseAddress else { return EINVAL }
            return posix_spawnp(&pid, argv[0], &actions, &attributes, UnsafeMutablePointer(mutating: argp), environ)
        }
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            throw GitError("cannot run git: \(String(cString: strerror(spawned)))")
        }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count > 0 {
                output += chunk[0..<count]
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        guard status == 0 else {
            let message = (try? String(contentsOfFile: errors, encoding: .utf8))?
                .split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit status \(status >> 8)"
            throw GitError("\(argv.dropFirst(3).joined(separator: " ")) failed: \(message)")
        }
        return output
    }
}

/// git could not be run, or said no (not a repository, no commit yet).
public struct GitError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}
