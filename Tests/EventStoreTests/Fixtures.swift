import CHDF5
import Comm
import Foundation
@testable import EventStore
@testable import Support

/// Builds small HDF5 and CSV files of every layout (and broken ones) for the reader tests.
enum Fixtures {
    static let directory: String = {
        let dir = NSTemporaryDirectory() + "latentsim-eventstore-\(getpid())"
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            fatalError("cannot create the fixture directory \(dir): \(error)")
        }
        return dir
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    /// 2-D float64 dataset with a `columns` attribute (as h5py writes it).
    static func matrix(_ name: String, columns: [String], rows: [[Double]], dataset: String = "events") throws -> String {
        let p = path(name)
        let file = try H5File.create(p, comm: nil)
        let ds = try H5Dataset.create(in: file, name: dataset, dims: [UInt64(rows.count), UInt64(rows.first?.count ?? columns.count)],
                                      fileType: ls_h5t_native_double(), memoryType: ls_h5t_native_double(),
                                      values: rows.flatMap { $0 })
        try H5Attributes.write(ds.id, "columns", .strings(columns))
        try ds.close()
        try file.close()
        return p
    }

    /// Group of 1-D datasets, one per column; `lengths` may differ to build a broken file.
    static func group(_ name: String, columns: [(String, [Double])], dataset: String = "events") throws -> String {
        let p = path(name)
        let file = try H5File.create(p, comm: nil)
        for (column, values) in columns {
            let ds = try H5Dataset.create(in: file, name: dataset + "/" + column, dims: [UInt64(values.count)],
                                          fileType: ls_h5t_native_double(), memoryType: ls_h5t_native_double(),
                                          values: values)
            try ds.close()
        }
        try file.close()
        return p
    }

    static func text(_ name: String, _ contents: String) throws -> String {
        let p = path(name)
        try contents.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    static var comm: Communicator {
        get throws { try Communicator.world() }
    }
}
