import Comm
import EventStore
import Foundation
import XCTest
@testable import Support
@testable import Training
@testable import Generation

/// The generate writer thread on its own: shards written from recycled chunk buffers read back
/// exactly and carry the checksum of their bytes; a directory that disappears mid-run fails the
/// run with the underlying message and leaves no shard that looks complete.
final class ShardWriterTests: XCTestCase {
    let columns = ["a", "b", "c"]

    func directory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "latentsim-shardwriter-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Value of row r (global), column c: distinct and exactly representable.
    func value(_ r: Int, _ c: Int) -> Float { Float(r * 10 + c) }

    /// Submits rows `rows` (local to the shard starting at `first`) in chunks of the writer's size.
    func feed(_ writer: ShardWriter, first: Int, rows: Int) throws {
        var start = 0
        while start < rows {
            let end = min(rows, start + writer.chunk)
            let (slot, buffer) = try writer.slot()
            for r in start..<end { for c in 0..<columns.count { buffer[(r - start) * columns.count + c] = value(first + r, c) } }
            try writer.submit(slot: slot, rows: start..<end)
            start = end
        }
    }

    func shard(_ index: Int, in dir: String, rows: Int) -> ShardWriter.Shard {
        ShardWriter.Shard(index: index, path: dir + String(format: "/shard-%05d.h5", index), columns: columns, rows: rows,
                          attributes: [("first_row", .int(Int64(index * 1000)))])
    }

    func testShardsReadBackAndCarryTheChecksumOfTheirBytes() throws {
        let dir = try directory("writer-ok")
        // Chunk 7 with 2 slots: 143 rows cycle each buffer ten times; the last chunk is partial.
        let writer = ShardWriter(width: columns.count, chunk: 7)
        writer.start()
        for (index, rows) in [(0, 143), (1, 1), (2, 70)] {
            try writer.begin(shard(index, in: dir, rows: rows))
            try feed(writer, first: index * 1000, rows: rows)
            try writer.finish()
        }
        let hashes = try writer.close()
        XCTAssertEqual(try writer.close(), hashes, "close is idempotent")
        for (index, rows) in [(0, 143), (1, 1), (2, 70)] {
            let path = dir + String(format: "/shard-%05d.h5", index)
            XCTAssertEqual(hashes[index], try SHA256.hex(files: [path]), "shard \(index)")
            let table = try EventReader.read(path: path, comm: try Communicator.world()).table
            XCTAssertEqual(table.columns, columns)
            XCTAssertEqual(table.values, (0..<rows).flatMap { r in (0..<3).map { value(index * 1000 + r, $0) } }, "shard \(index)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       ["shard-00000.h5", "shard-00001.h5", "shard-00002.h5"], "no temporary left")
    }

    func testADirectoryRemovedBeforeTheNextShardFailsTheRunAndLeavesNothingComplete() throws {
        let dir = try directory("writer-gone")
        let writer = ShardWriter(width: columns.count, chunk: 16)
        writer.start()
        try writer.begin(shard(0, in: dir, rows: 40))
        try feed(writer, first: 0, rows: 40)
        try writer.finish()
        // Shard 0 is committed (or about to be) when the directory goes; its checksum may fail too.
        Thread.sleep(forTimeInterval: 0.2)
        try FileManager.default.removeItem(atPath: dir)
        let error = XCTAssertThrowsAny {
            try writer.begin(self.shard(1, in: dir, rows: 40))
            try self.feed(writer, first: 1000, rows: 40)
            try writer.finish()
            try writer.close()
        }
        let message = describe(error)
        XCTAssertTrue(message.contains("H5Fcreate('\(dir)/.shard-00001.h5.partial')"), message)
        XCTAssertThrowsError(try writer.close(), "the failure stays reported")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/shard-00001.h5"))
    }

    func testADirectoryReplacedMidShardFailsTheRenameAndLeavesNothingComplete() throws {
        let dir = try directory("writer-replaced")
        let writer = ShardWriter(width: columns.count, chunk: 16)
        writer.start()
        try writer.begin(shard(0, in: dir, rows: 64))
        try feed(writer, first: 0, rows: 32)
        Thread.sleep(forTimeInterval: 0.2)
        // The open temporary file goes with the old directory; an empty one takes its place.
        try FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let error = XCTAssertThrowsAny {
            try self.feed(writer, first: 32, rows: 32)
            try writer.finish()
            try writer.close()
        }
        let message = describe(error)
        XCTAssertTrue(message.contains("cannot move '\(dir)/.shard-00000.h5.partial' to '\(dir)/shard-00000.h5'"), message)
        XCTAssertThrowsError(try writer.close(), "the failure stays reported")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "nothing that looks complete")
    }
}

/// The one line a failing run would print.
private func describe(_ error: Error?) -> String {
    guard let error else { return "" }
    return (error as? InputError)?.message ?? (error as? HDF5Error)?.description ?? "\(error)"
}

/// Runs `body`, which must throw; returns what it threw (nil, with a failure, if it did not).
private func XCTAssertThrowsAny(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> Error? {
    do {
        try body()
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch {
        return error
    }
}
