import Foundation
import XCTest
@testable import Support

/// SHA-256 through libcrypto against the FIPS 180-4 example digests (NIST CSRC "SHA256.pdf" examples,
/// also `printf … | sha256sum`), including inputs that end exactly at and across a padding boundary,
/// and files hashed in pieces (the shard writer's FileDigest) against the one-shot digest.
final class SHA256Tests: XCTestCase {
    func testKnownDigests() throws {
        XCTAssertEqual(try SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(try SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(try SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(try SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // 55 and 56 bytes: the length still fits in the last block, and no longer does.
        XCTAssertEqual(try SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 55)),
                       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(try SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 56)),
                       "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }

    func testFilesHashInPiecesAsOneStream() throws {
        let path = NSTemporaryDirectory() + "latentsim-sha-\(getpid()).bin"
        defer { unlink(path) }
        let bytes = Data((0..<(1 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 11)) })
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try SHA256.hex(files: [path]), try SHA256.hex(bytes))
        XCTAssertEqual(try SHA256.hex(files: [path, path]), try SHA256.hex(bytes + bytes))
        let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096 + 3, alignment: 16)
        defer { piece.deallocate() }
        let digest = try SHA256.FileDigest(path: path)
        var result: String?
        while result == nil { result = try digest.step(piece) }
        XCTAssertEqual(result, try SHA256.hex(bytes))
    }

    func testMissingFileIsOneLine() {
        XCTAssertThrowsError(try SHA256.hex(files: ["/nonexistent/latentsim.bin"])) { error in
            XCTAssertEqual("\(error)", "cannot read '/nonexistent/latentsim.bin' (No such file or directory); check the path and its permissions")
        }
    }
}

/// The throughput figure `bench` reports: positive, and the timed hashing digests the buffer correctly.
final class SHA256ThroughputTests: XCTestCase {
    func testThroughputHashesItsBuffer() throws {
        let (rate, digest) = try SHA256.measure(megabytes: 8)
        print(String(format: "SHA-256 over 8 MiB in memory: %.0f MB/s", rate))
        XCTAssertGreaterThan(rate, 0)
        XCTAssertTrue(rate.isFinite)
        let bytes = Data((0..<(8 << 20)).map(SHA256.bufferByte))
        XCTAssertEqual(digest, try SHA256.hex(bytes))
        XCTAssertGreaterThan(try SHA256.throughput(megabytes: 1), 0)
        XCTAssertThrowsError(try SHA256.throughput(megabytes: 0))
    }
}
