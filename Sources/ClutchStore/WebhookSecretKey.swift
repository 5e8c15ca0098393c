import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The key webhook signing secrets are sealed with at rest (AES-256-GCM), kept in a file of
/// its own (mode 0600) rather than in the database: a copy of the database, a backup or a
/// replica's dump then holds no secret that can sign a delivery.
///
/// The server must know each secret to sign with it, so it cannot be hashed as tokens are;
/// sealing is the next best. Each sealed secret is stored with the key's ``id`` (a digest of
/// the key, not the key), so a start with a missing or different key file fails at once,
/// naming the file, instead of failing every delivery later.
public struct WebhookSecretKey: Sendable {
    /// The file the key was read from or written to.
    public let path: String
    /// The first 8 bytes of the key's SHA-256, hex: names the key without revealing it.
    public let id: String
    /// The key's 32 bytes (`SymmetricKey` is not `Sendable`: it is made from them when used).
    private let bytes: Data
    private var key: SymmetricKey { SymmetricKey(data: bytes) }

    private init(path: String, key: SymmetricKey) {
        self.path = path
        bytes = key.withUnsafeBytes { Data($0) }
        id = SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The key in use for a store, given the key ids its sealed secrets name (`sealedWith`): the
    /// file's key when it matches them, a new key in a new file when there is neither file nor
    /// sealed secret (the first start). A missing or different key file with sealed secrets fails
    /// with ``WebhookSecretKeyError``, naming the file: those secrets cannot be opened without it.
    static func prepare(path: String, sealedWith: Set<String>) throws -> WebhookSecretKey {
        if let key = try read(path) {
            if let other = sealedWith.subtracting([key.id]).sorted().first {
                throw WebhookSecretKeyError(
                    "the webhook secret key file \(path) holds key \(key.id), but the database's webhook secrets were sealed with key \(other): start with the key file they were sealed with (--secret-key-file)")
            }
            return key
        }
        if let other = sealedWith.sorted().first {
            throw WebhookSecretKeyError(
                "the webhook secret key file \(path) is missing, and the database's webhook secrets were sealed with key \(other): restore that file (or pass its path with --secret-key-file); without it the webhooks must be deleted and created again")
        }
        return try create(path)
    }

    /// The key in the file at `path`; `nil` when there is no file.
    static func read(_ path: String) throws -> WebhookSecretKey? {
        guard let data = FileManager.default.contents(atPath: path) else {
            guard !FileManager.default.fileExists(atPath: path) else {
                throw WebhookSecretKeyError("cannot read the webhook secret key file \(path)")
            }
            return nil
        }
        // A key file copied into place (a secret mount, a restore) may have been given a wider mode.
        _ = FileModes.makePrivate(path)
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
            throw WebhookSecretKeyError("the webhook secret key file \(path) does not hold a key (32 bytes in base64)")
        }
        return WebhookSecretKey(path: path, key: SymmetricKey(data: bytes))
    }

    /// A new random key, written to a new file at `path` with mode 0600 whatever the umask. The
    /// file appears whole or not at all (written aside, then linked into place), so servers
    /// starting together on one shared file all end up with the key of the first.
    static func create(_ path: String) throws -> WebhookSecretKey {
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0) }.base64EncodedString() + "\n"
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let aside = path + ".new-" + Secrets.randomHex(bytes: 6)
        try FileModes.createPrivateFile(aside, contents: Data(text.utf8))
        defer { unlink(aside) }
        guard link(aside, path) == 0 else {
            if errno == EEXIST, let existing = try read(path) { return existing }
            throw WebhookSecretKeyError("cannot create the webhook secret key file \(path): \(String(cString: strerror(errno)))")
        }
        return WebhookSecretKey(path: path, key: key)
    }

    /// `secret` sealed for webhook `id` (its id is authenticated with it, so a sealed secret
    /// copied onto another webhook's row does not open): nonce, ciphertext and tag in base64.
    func seal(_ secret: String, webhook id: String) throws -> String {
        let box = try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Data(id.utf8))
        guard let combined = box.combined else { throw WebhookSecretKeyError("cannot seal a webhook secret") }
        return combined.base64EncodedString()
    }

    /// The secret ``seal(_:webhook:)`` sealed for webhook `id`.
    func open(_ sealed: String, webhook id: String) throws -> String {
        guard let data = Data(base64Encoded: sealed),
              let plain = try? AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key, authenticating: Data(id.utf8))
        else {
            throw WebhookSecretKeyError("webhook \(id)'s secret does not open with the key in \(path)")
        }
        return String(decoding: plain, as: UTF8.self)
    }
}

extension WebhookSecretKey {
    /// The secret of a webhook row: `stored` opened with this key when it was sealed (`sealedWith`
    /// names the key), or as it is when it was not (written by a server of an earlier version
    /// during an upgrade, sealed at the next start).
    func secret(stored: String, sealedWith: String?, webhook id: String) throws -> String {
        guard let sealedWith else { return stored }
        guard sealedWith == self.id else {
            throw WebhookSecretKeyError("webhook \(id)'s secret was sealed with key \(sealedWith), not with the key in \(path) (\(self.id))")
        }
        return try open(stored, webhook: id)
    }
}

/// The webhook secret key file is missing, unreadable or not the one the secrets were sealed with.
public struct WebhookSecretKeyError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) { self.description = description }
}

/// Files that hold what the server keeps secret (the SQLite database, the secret key) are
/// readable by their owner only.
enum FileModes {
    /// Creates `path` (which must not exist) with mode 0600 and `contents`.
    static func createPrivateFile(_ path: String, contents: Data) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw WebhookSecretKeyError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // open() applies the umask; the mode must not depend on it.
        fchmod(descriptor, 0o600)
        let written = contents.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == contents.count, fsync(descriptor) == 0 else {
            throw WebhookSecretKeyError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Before SQLite opens the database at `path`: creates it empty with mode 0600 when it does
    /// not exist (SQLite gives the `-wal` and `-shm` files it creates the database's mode), and
    /// takes away the group's and others' access to an existing one and its `-wal` and `-shm`,
    /// which earlier versions created 0644. Answers the files whose mode it changed.
    static func makeDatabasePrivate(_ path: String) -> [String] {
        guard path != ":memory:", !path.isEmpty else { return [] }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor >= 0 {
            fchmod(descriptor, 0o600)
            close(descriptor)
            return []
        }
        return [path, path + "-wal", path + "-shm"].filter(makePrivate)
    }

    /// Takes away the group's and others' access to an existing `file`; answers whether it had any.
    static func makePrivate(_ file: String) -> Bool {
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & 0o077 != 0 else { return false }
        return chmod(file, info.st_mode & 0o700) == 0
    }
}
