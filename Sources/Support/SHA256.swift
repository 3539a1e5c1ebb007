import CCrypto
import Dispatch
import Foundation

/// SHA-256 through OpenSSL's libcrypto (EVP, which uses the CPU's SHA extensions where present),
/// for the generation manifest's shard and model checksums. Every libcrypto return code goes
/// through `check`, which throws the call's name and OpenSSL's own message.
public final class SHA256 {
    private let context: OpaquePointer

    public init() throws {
        guard let context = EVP_MD_CTX_new() else { throw SHA256.failure("EVP_MD_CTX_new") }
        self.context = context
        try SHA256.check(EVP_DigestInit_ex(context, EVP_sha256(), nil), "EVP_DigestInit_ex")
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try SHA256.check(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count), "EVP_DigestUpdate")
    }

    /// The lowercase hex digest; the hasher starts over afterwards.
    public func finish() throws -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        try SHA256.check(EVP_DigestFinal_ex(context, &digest, &length), "EVP_DigestFinal_ex")
        try SHA256.check(EVP_DigestInit_ex(context, EVP_sha256(), nil), "EVP_DigestInit_ex")
        return digest[0..<Int(length)].map { String(format: "%02x", $0) }.joined()
    }

    /// Hex digest of the bytes.
    public static func hex(_ data: Data) throws -> String {
        let hasher = try SHA256()
        try data.withUnsafeBytes { try hasher.update($0) }
        return try hasher.finish()
    }

    /// Hex digest of the files' contents, concatenated in order, read 1 MiB at a time.
    public static func hex(files paths: [String]) throws -> String {
        let hasher = try SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        for path in paths {
            let file = try FileDigest(path: path, hasher: hasher)
            while try file.read(buffer) {}
        }
        return try hasher.finish()
    }

    static func check(_ result: Int32, _ call: String) throws {
        guard result != 1 else { return }
        throw failure(call)
    }

    static func failure(_ call: String) -> InputError {
        let code = ERR_get_error()
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return InputError("libcrypto call \(call) failed: \(String(cString: text))", exitCode: ExitStatus.software)
    }
}

extension SHA256 {
    /// MB/s (10⁶ bytes) of this machine's SHA-256 over an in-memory buffer of `megabytes` MiB,
    /// one core: the rate at which `generate` can checksum its shards once they are in the page cache.
    public static func throughput(megabytes: Int) throws -> Double {
        try measure(megabytes: megabytes).megabytesPerSecond
    }

    /// The rate and the digest of the buffer hashed (its bytes are `bufferByte(i)`), so a test can
    /// check the timed hashing against the one-shot `hex(_:)`.
    static func measure(megabytes: Int) throws -> (megabytesPerSecond: Double, digest: String) {
        guard megabytes > 0 else {
            throw InputError("SHA-256 throughput needs a positive buffer size, not \(megabytes) MiB", exitCode: ExitStatus.usage)
        }
        let count = megabytes << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 64)
        defer { buffer.deallocate() }
        for i in 0..<count { buffer[i] = bufferByte(i) }
        let hasher = try SHA256()
        let start = DispatchTime.now().uptimeNanoseconds
        try hasher.update(UnsafeRawBufferPointer(buffer))
        let digest = try hasher.finish()
        let nanoseconds = DispatchTime.now().uptimeNanoseconds - start
        return (Double(count) * 1e3 / Double(max(nanoseconds, 1)), digest)
    }

    /// The test pattern: not constant, so no layer can shortcut it.
    static func bufferByte(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: i &* 131 &+ (i >> 9)) }
}
