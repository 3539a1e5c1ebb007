import Comm
import Support

/// File-level metadata of an event table (producer, version, process, seed, …).
public enum EventInfo {
    /// Root attributes of an HDF5 file (none for CSV). Reads metadata only, on the default driver.
    public static func attributes(path: String, layout: TableLayout) throws -> [(String, AttributeValue)] {
        guard layout.kind != .csv else { return [] }
        let file = try H5File.open(path, comm: nil)
        return try H5Attributes.readAll(file.id)
    }
}
