import Foundation
import XCTest
@testable import latentsim

/// The manifest's SHA-256 against the FIPS 180-4 example digests (NIST CSRC "SHA256.pdf" examples,
/// also `printf … | sha256sum`), including inputs that end exactly at and across a padding boundary.
final class SHA256Tests: XCTestCase {
    func testKnownDigests() throws {
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testFilesHashInOneMebibyteReadsAsOneStream() throws {
        let path = CLI.path("sha-input.bin")
        let bytes = Data((0..<(1 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 11)) })
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try SHA256.hex(files: [path]), SHA256.hex(bytes))
        XCTAssertEqual(try SHA256.hex(files: [path, path]), SHA256.hex(bytes + bytes))
    }
}
