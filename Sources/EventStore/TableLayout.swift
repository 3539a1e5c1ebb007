import Support
/// How an event table is stored, as detected by `EventReader`.
public struct TableLayout: Sendable, Equatable {
    public enum Kind: String, Sendable { case matrix, group, csv }
    public let kind: Kind
    public let path: String
    /// Dataset or group name inside an HDF5 file ("" for CSV).
    public let dataset: String
    public let columns: [String]
    public let rows: Int
    /// Storage type of the values (e.g. "float64"; "text" for CSV; per-column types for groups, joined).
    public let storage: String

    public var description: String {
        switch kind {
        case .matrix: return "HDF5 2-D dataset '\(dataset)' (\(storage)) with a 'columns' attribute"
        case .group: return "HDF5 group '\(dataset)' of \(columns.count) 1-D datasets (\(storage))"
        case .csv: return "CSV with a header row"
        }
    }
}

/// What to do with NaN/Inf values when reading.
public enum NonFinitePolicy: Sendable {
    case refuse   // one clear error naming the first row and column
    case drop     // drop rows containing them (counted in the result)
    case keep     // keep them (for `inspect`)
}
