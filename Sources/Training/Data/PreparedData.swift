import Comm
import EventStore
import Foundation
import Support

/// The table as a reducer sees it: read by row shares, rotated into the paper's frame (mu2_py = 0,
/// column dropped), split into training and held-out rows by a per-row hash, integer columns
/// smeared and every feature standardised (fitted on the training rows of all ranks).
public struct PreparedData {
    public var frame: Preprocessor?
    public var scaling: Preprocessor
    /// Columns read from the file, and the model's features after the frame step.
    public var inputColumns: [String]
    public var features: [String]
    /// Local training rows, preprocessed; `firstRow` is the global offset among training rows.
    public var train: EventTable
    /// The same training rows in physical units (after the frame step).
    public var trainPhysical: EventTable
    public var trainTotal: Int
    /// Local held-out rows in physical units (after the frame step), and preprocessed.
    public var heldOutPhysical: EventTable
    public var heldOut: EventTable
    /// Every local row in file order, after the frame step (physical units), for the encoded table.
    public var framed: EventTable
    public var split: HeldOutSplit
    /// Per-column range of every row read (held-out ones included, all ranks), in `inputColumns`
    /// before the frame step: what `generate`'s support guard keeps events inside (`SupportRange`).
    public var support = SupportRange(columns: [], min: [], max: [])

    /// The column the frame step dropped (the mu2_py role's, 0 in the rotation frame), if any.
    public var frameColumn: String? { frame?.droppedColumn }

    /// A frame and scaling fitted earlier (a reducer's): the table is mapped with them, nothing is refitted.
    public struct Fitted {
        public var frame: Preprocessor?
        public var scaling: Preprocessor
        public var inputColumns: [String]
        public var features: [String]
        /// Named in the error when the table lacks a column the fitted preprocessing needs.
        public var owner: String
    }

    /// This rank's training rows cut into `parts` contiguous global ranges the way `parts` ranks
    /// would hold them: its rows in file order split by `Communicator.share`, held-out rows left
    /// out. So with one process and `parts` workers, worker w trains on exactly the rows rank w of
    /// an np = `parts` run trains on, in the same order.
    public func trainShards(parts: Int) -> [Range<Int>] {
        var start = train.firstRow
        return (0..<parts).map { w in
            let rows = Communicator.share(of: framed.rows, rank: w, size: parts)
            let count = rows.filter { !split.isHeldOut(globalRow: framed.firstRow + $0) }.count
            defer { start += count }
            return start..<(start + count)
        }
    }

    public static func load(path: String, dataset: String, columns requested: [String], rotate: Bool?, split: HeldOutSplit,
                     dropNonFinite: Bool, seed: UInt64, comm: Communicator, fitted: Fitted? = nil,
                     representation: Representation = Representation(), roles: ColumnRoles = ColumnRoles()) throws -> PreparedData {
        let read = try EventReader.read(path: path, dataset: dataset, nonFinite: dropNonFinite ? .drop : .refuse, comm: comm)
        let table = read.table
        let (inputColumns, features, frameStep) = try comm.agree { () -> ([String], [String], PreprocessingStep?) in
            try roles.check(columns: table.columns, table: path)
            guard let fitted else {
                return try chooseColumns(requested, available: table.columns, rotate: rotate, roles: roles, path: path)
            }
            let missing = fitted.inputColumns.filter { !table.columns.contains($0) }
            guard missing.isEmpty else {
                throw InputError("\(fitted.owner) was built for columns \(fitted.inputColumns.joined(separator: ",")) but '\(path)' "
                                 + "lacks \(missing.joined(separator: ", ")); use the table the reducer was trained on or retrain it",
                                 exitCode: ExitStatus.dataError)
            }
            return (fitted.inputColumns, fitted.features, nil)
        }
        let input = table.selecting(inputColumns.map { table.columnIndex($0)! })
        let support = try SupportRange.fit(input, comm: comm)
        var frame: Preprocessor? = fitted?.frame
        var framed = input
        if let f = frame {
            framed = try f.forward(input, seed: seed)
        } else if let frameStep {
            var f = Preprocessor(steps: [frameStep])
            try f.fit(input, comm: comm, seed: seed)
            framed = try f.forward(input, seed: seed)
            frame = f
        }
        framed = framed.selecting(features.map { framed.columnIndex($0)! })
        var trainRows = EventTable(columns: features, rows: 0), held = EventTable(columns: features, rows: 0)
        let w = features.count
        for r in 0..<framed.rows {
            let row = framed.values[(r * w)..<((r + 1) * w)]
            if split.isHeldOut(globalRow: framed.firstRow + r) {
                held.values.append(contentsOf: row); held.rows += 1
            } else {
                trainRows.values.append(contentsOf: row); trainRows.rows += 1
            }
        }
        let trainCounts = try comm.allgather([Int64(trainRows.rows)])
        let heldCounts = try comm.allgather([Int64(held.rows)])
        trainRows.firstRow = Int(trainCounts.prefix(comm.rank).reduce(0, +))
        held.firstRow = Int(heldCounts.prefix(comm.rank).reduce(0, +))
        let trainTotal = Int(trainCounts.reduce(0, +))
        try comm.agree {
            guard trainTotal >= 2, heldCounts.reduce(0, +) >= 1 else {
                throw InputError("'\(path)' has \(read.totalRows) rows: too few to hold out \(Int(split.fraction * 100)) % "
                                 + "and train; use a larger table", exitCode: ExitStatus.dataError)
            }
        }
        var scaling: Preprocessor
        if let fitted {
            scaling = fitted.scaling
        } else {
            // Integer columns over every row, held-out ones included: in a small table a column can be
            // all zeros in the training rows (jet4_pt of 89 rows) and not in the held-out ones, whose
            // forward step would then refuse the non-integer value.
            let integers = try integerColumns(framed, comm: comm)
            try comm.agree { try representation.check(features: features, table: trainRows, path: path) }
            scaling = try comm.agree {
                Preprocessor(steps: try representation.steps(features: features, integers: integers, dropped: frame?.droppedColumn, roles: roles),
                             shell: try representation.shellProjection(features: features, dropped: frame?.droppedColumn, roles: roles))
            }
            try scaling.fit(trainRows, comm: comm, seed: seed)
        }
        // Agreed: a refused value on one rank's rows (a log1p domain error) must stop every rank, not
        // leave the others waiting in the next collective.
        let (train, heldOut) = try comm.agree { (try scaling.forward(trainRows, seed: seed), try scaling.forward(held, seed: seed &+ 1)) }
        return PreparedData(frame: frame, scaling: scaling, inputColumns: inputColumns, features: features,
                            train: train, trainPhysical: trainRows, trainTotal: trainTotal,
                            heldOutPhysical: held, heldOut: heldOut, framed: framed, split: split, support: support)
    }

    /// Validates the requested columns; with rotation (default: when columns play mu2_px and
    /// mu2_py, `ColumnRoles`) that py column is read for the frame step but is not a feature (it is
    /// 0 by construction). Returns the columns to read, the features and the frame step.
    public static func chooseColumns(_ requested: [String], available: [String], rotate: Bool?, roles: ColumnRoles = ColumnRoles(),
                                     path: String) throws -> ([String], [String], PreprocessingStep?) {
        for name in requested where !available.contains(name) {
            throw InputError("column '\(name)' is not in '\(path)'; available: \(available.joined(separator: ", "))",
                             exitCode: ExitStatus.usage)
        }
        let px = roles.column("mu2_px", in: available), py = roles.column("mu2_py", in: available)
        let canRotate = px != nil && py != nil && requested.contains(px!)
        if rotate == true && !canRotate {
            throw InputError("rotate = true needs the columns of the roles mu2_px (among --columns) and mu2_py in '\(path)' "
                             + "(map them in [roles] or --roles); set rotate = false", exitCode: ExitStatus.usage)
        }
        guard rotate ?? canRotate, let px, let py else { return (requested, requested, nil) }
        let features = requested.filter { $0 != py }
        let wanted = Set(features + [py])
        let input = available.filter { wanted.contains($0) }
        return (input, features, frameStep(px: px, py: py, input: input, roles: roles))
    }

    /// The rotation removing the azimuth of the mu2 role's (px, py), rotating the mu1 and met
    /// vectors the table has and every other X_px/X_py pair with it: without a role map the
    /// built-in step on the X_px/X_py names (the same rotation; models stay as they were), else
    /// one on the columns named.
    static func frameStep(px: String, py: String, input: [String], roles: ColumnRoles) -> PreprocessingStep {
        var others: [(px: String, py: String)] = []
        for vector in ["mu1", "met"] {
            if let x = roles.column(vector + "_px", in: input), let y = roles.column(vector + "_py", in: input) { others.append((x, y)) }
        }
        let claimed = Set(others.flatMap { [$0.px, $0.py] } + [px, py])
        let plain = input.compactMap { name -> (px: String, py: String)? in
            guard name.hasSuffix("_px") else { return nil }
            let y = String(name.dropLast(3)) + "_py"
            return input.contains(y) && !claimed.contains(name) && !claimed.contains(y) ? (name, y) : nil
        }
        return roles.isEmpty ? .rotateAzimuth(reference: "mu2") : .rotateAzimuth(reference: (px, py), others: others + plain)
    }

    /// Columns whose training values are all integers (e.g. nvtx), over all ranks.
    public static func integerColumns(_ table: EventTable, comm: Communicator) throws -> [String] {
        var fractional = [Int64](repeating: 0, count: table.width)
        for r in 0..<table.rows {
            for j in 0..<table.width where table[r, j].rounded() != table[r, j] { fractional[j] += 1 }
        }
        try comm.allreduce(&fractional, op: .sum)
        return table.columns.enumerated().filter { fractional[$0.offset] == 0 }.map(\.element)
    }
}
