import Comm
import EventStore
import Support

extension EventTable {
    /// A plain column if the table has one named `name`, else the derived quantity of that name
    /// computed from the columns it needs; throws a usage error naming what is available, or
    /// which input columns are missing.
    public func quantity(_ name: String) throws -> [Double] {
        if let index = columnIndex(name) { return column(index) }
        guard let derived = DerivedQuantity(rawValue: name) else {
            let available = columns + DerivedQuantity.allCases.filter(isComputable).map(\.rawValue)
            throw InputError("unknown column or quantity '\(name)'; available: \(available.joined(separator: ", "))",
                             exitCode: ExitStatus.usage)
        }
        let inputs = derived.inputs
        let offsets = inputs.compactMap(columnIndex)
        guard offsets.count == inputs.count else {
            let missing = inputs.filter { columnIndex($0) == nil }
            throw InputError("cannot compute '\(name)': missing columns \(missing.joined(separator: ", "))",
                             exitCode: ExitStatus.usage)
        }
        let w = width, n = rows
        return values.withUnsafeBufferPointer { v in
            offsets.withUnsafeBufferPointer { c in
                [Double](unsafeUninitializedCapacity: n) { out, initialized in
                    guard let base = v.baseAddress else { initialized = 0; return }
                    for r in 0..<n { out[r] = derived.compute(base + r * w, c) }
                    initialized = n
                }
            }
        }
    }

    /// Whether every input column of `quantity` is present.
    public func isComputable(_ quantity: DerivedQuantity) -> Bool {
        quantity.inputs.allSatisfy { columnIndex($0) != nil }
    }
}
