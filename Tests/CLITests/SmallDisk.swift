import Foundation
import XCTest

/// A small tmpfs for the disk-full tests, mounted on a fresh directory of the scratch folder and
/// unmounted afterwards. Where mounting is refused (not root, or a container without
/// CAP_SYS_ADMIN) the block is skipped with the reason printed; the budget hook still covers it.
enum SmallDisk {
    /// `onlyPart`: the tmpfs is the whole test, so a refused mount skips the test (XCTSkip) instead of a block.
    static func run(kib: Int, onlyPart: Bool = false, _ body: (String) throws -> Void) throws {
        let directory = CLI.path("tmpfs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let mounted = try command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kib)k", "tmpfs", directory])
        guard mounted.status == 0 else {
            let reason = "mount refused (\(mounted.output.trimmingCharacters(in: .whitespacesAndNewlines)))"
            if onlyPart { throw XCTSkip("needs a small tmpfs: " + reason) }
            print("skipping the tmpfs part: " + reason)
            return
        }
        defer { _ = try? command("/bin/umount", [directory]) }
        try body(directory)
    }

    static func resize(_ directory: String, kib: Int) throws {
        let r = try command("/bin/mount", ["-o", "remount,size=\(kib)k", directory])
        XCTAssertEqual(r.status, 0, r.output)
    }

    /// Fills the filesystem with one file named `filler` until the kernel refuses more.
    static func fill(_ directory: String) throws {
        let fd = open(directory + "/filler", O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno)) }
        defer { close(fd) }
        let block = [UInt8](repeating: 0x5a, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    private static func command(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
