import Comm
import EventStore
import Support

extension EventTable {
    /// A plain column if the table has one named `name`, else the derived quantity of that name
    /// computed from the columns playing its input roles (`roles`; by default the columns named
    /// like the roles); throws a usage error naming what is available, or which roles are missing.
    public func quantity(_ name: String, roles: ColumnRoles = ColumnRoles()) throws -> [Double] {
        if let index = columnIndex(name) { return column(index) }
        guard let derived = DerivedQuantity(rawValue: name) else {
            let available = columns + DerivedQuantity.allCases.filter { isComputable($0, roles: roles) }.map(\.rawValue)
            throw InputError("unknown column or quantity '\(name)'; available: \(available.joined(separator: ", "))",
                             exitCode: ExitStatus.usage)
        }
        guard let offsets = derived.columnPositions(in: columns, roles: roles) else {
            let missing = derived.inputs.filter { roles.column($0, in: columns) == nil }
            throw InputError("cannot compute '\(name)': missing columns \(missing.joined(separator: ", "))"
                             + (roles.isEmpty ? "" : " (roles, see \(roles.source))"), exitCode: ExitStatus.usage)
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

    /// Whether a column plays every input role of `quantity`.
    public func isComputable(_ quantity: DerivedQuantity, roles: ColumnRoles = ColumnRoles()) -> Bool {
        quantity.columnPositions(in: columns, roles: roles) != nil
    }
}

extension DerivedQuantity {
    /// The positions in `columns` of the columns playing `inputs`, in `inputs` order; nil unless all are there.
    public func columnPositions(in columns: [String], roles: ColumnRoles) -> [Int]? {
        roles.columns(inputs, in: columns).map { $0.map { columns.firstIndex(of: $0)! } }
    }

    /// The quantities computable from `columns` (each not itself a column), in declaration order.
    public static func computable(from columns: [String], roles: ColumnRoles) -> [DerivedQuantity] {
        allCases.filter { !columns.contains($0.rawValue) && $0.columnPositions(in: columns, roles: roles) != nil }
    }
}
