import Support
/// A step bound to concrete column positions of its input layout: what the buffer kernels run.
/// Rebuilt from `(inputColumns, steps)` whenever a preprocessor is fitted or decoded.
struct ResolvedStep: Sendable {
    enum Operation: Sendable {
        /// y = (x − shift) / scale per listed column (standardize, minMax).
        case affine(indices: [Int], shift: [Double], scale: [Double])
        case log1p(indices: [Int])
        case smear(indices: [Int], sigma: Double, substream: UInt32)
        /// `pairs`: flattened (px, py) positions of the non-reference vectors.
        case rotate(referencePx: Int, referencePy: Int, pairs: [Int], substream: UInt32)
        /// Positions of (E₁, px₁, py₁, pz₁, E₂, px₂, py₂, pz₂); −1 for a zero component.
        case pairMass(indices: [Int])
        /// The same positions, for (px₁, py₁) → (px₁ + px₂, py₁ + py₂) (`PairPt`).
        case pairPt(indices: [Int])
        /// Per listed column: continuum start t (`start`) and gap width G (`gap`).
        case zeroSpike(indices: [Int], start: [Double], gap: [Double])
        case quantile(indices: [Int], curves: [QuantileCurve], substream: UInt32)
        /// The sequence's positions (leading first), its start t and each later column's fill curve.
        case ordered(indices: [Int], threshold: Double, fill: [QuantileCurve], substream: UInt32)
    }

    let operation: Operation
    let kind: PreprocessingStep.Kind
    let label: String
    let inputColumns: [String]
    let outputColumns: [String]
    var inputWidth: Int { inputColumns.count }
    var outputWidth: Int { outputColumns.count }

    /// Binds `step` (number `index`) to `available`. Affine steps need their fitted parameters.
    init(_ step: PreprocessingStep, index: Int, available: [String], droppedBy: [String: String] = [:]) throws {
        label = step.label(index)
        kind = step.kind
        inputColumns = available
        switch step.kind {
        case .standardize, .minMax:
            let indices = try step.columnIndices(label: label, available: available, droppedBy: droppedBy)
            guard let shift = step.shift, let scale = step.scale else {
                throw PreprocessingError.notFitted()
            }
            guard shift.count == indices.count, scale.count == indices.count,
                  !(shift + scale).contains(where: { !$0.isFinite }), !scale.contains(where: { $0 <= 0 }) else {
                throw PreprocessingError.damaged(label, "expected \(indices.count) finite shifts and positive scales, "
                                                 + "found \(shift.count) shifts and \(scale.count) scales")
            }
            operation = .affine(indices: indices, shift: shift, scale: scale)
            outputColumns = available
        case .zeroSpike:
            let indices = try step.columnIndices(label: label, available: available, droppedBy: droppedBy)
            guard let start = step.shift, let gap = step.scale else { throw PreprocessingError.notFitted() }
            guard start.count == indices.count, gap.count == indices.count,
                  !(start + gap).contains(where: { !$0.isFinite || $0 <= 0 }) else {
                throw PreprocessingError.damaged(label, "expected \(indices.count) positive finite starts and gaps, "
                                                 + "found \(start.count) starts and \(gap.count) gaps")
            }
            operation = .zeroSpike(indices: indices, start: start, gap: gap)
            outputColumns = available
        case .quantile:
            let indices = try step.columnIndices(label: label, available: available, droppedBy: droppedBy)
            guard let knots = step.knots else { throw PreprocessingError.notFitted() }
            guard knots.count == indices.count, knots.allSatisfy({ $0.count >= 2 && $0.allSatisfy(\.isFinite)
                                                                    && zip($0, $0.dropFirst()).allSatisfy { $0 <= $1 } }) else {
                throw PreprocessingError.damaged(label, "expected \(indices.count) ascending lists of at least 2 finite knots, "
                                                 + "found \(knots.count) lists")
            }
            operation = .quantile(indices: indices, curves: knots.map { QuantileCurve(knots: $0, ties: step.ties ?? .spread) },
                                  substream: PreprocessingStep.substream(.quantile, step: index))
            outputColumns = available
        case .ordered:
            let indices = try step.columnIndices(label: label, available: available, droppedBy: droppedBy)
            guard let shift = step.shift, let fill = step.knots else { throw PreprocessingError.notFitted() }
            guard indices.count >= 2, shift.count == 1, shift[0].isFinite, shift[0] > 0, fill.count == indices.count - 1,
                  fill.allSatisfy({ $0.count >= 2 && $0.allSatisfy(\.isFinite) && zip($0, $0.dropFirst()).allSatisfy { $0 <= $1 } }) else {
                throw PreprocessingError.damaged(label, "expected one positive finite threshold and \(max(indices.count - 1, 1)) ascending "
                                                 + "lists of at least 2 finite knots, found \(shift.count) thresholds and \(fill.count) lists")
            }
            operation = .ordered(indices: indices, threshold: shift[0], fill: fill.map { QuantileCurve(knots: $0, ties: .spread) },
                                 substream: PreprocessingStep.substream(.ordered, step: index))
            outputColumns = available
        case .log1p:
            operation = .log1p(indices: try step.columnIndices(label: label, available: available, droppedBy: droppedBy))
            outputColumns = available
        case .smearInteger:
            let indices = try step.columnIndices(label: label, available: available, droppedBy: droppedBy)
            guard let sigma = step.sigma, sigma >= 0, sigma <= IntegerSmearing.maximumSigma else {
                throw PreprocessingError.badSigma(step.sigma, step: label)
            }
            operation = .smear(indices: indices, sigma: sigma,
                               substream: PreprocessingStep.substream(.smearInteger, step: index))
            outputColumns = available
        case .rotateAzimuth:
            let layout = try step.rotationLayout(label: label, available: available, droppedBy: droppedBy)
            operation = .rotate(referencePx: layout.px, referencePy: layout.py, pairs: layout.pairs,
                                substream: PreprocessingStep.substream(.rotateAzimuth, step: index))
            var out = available
            out.remove(at: layout.py)
            outputColumns = out
        case .pairMass, .pairPt:
            guard let names = step.columns, names.count == 8 else {
                throw PreprocessingError.damaged(label, "expected 8 components (E, px, py, pz of two vectors), "
                                                 + "found \(step.columns?.count ?? 0)")
            }
            let listed = names.filter { $0 != PreprocessingStep.zeroComponent }
            let positions = try PreprocessingStep(kind: .pairMass, columns: listed)
                .columnIndices(label: label, available: available, droppedBy: droppedBy)
            var k = 0
            let indices = names.map { name -> Int in
                guard name != PreprocessingStep.zeroComponent else { return -1 }
                defer { k += 1 }
                return positions[k]
            }
            guard indices[0] >= 0, indices[4] >= 0 else {
                throw PreprocessingError.damaged(label, "expected both energies among the columns, found a zero component")
            }
            operation = step.kind == .pairMass ? .pairMass(indices: indices) : .pairPt(indices: indices)
            outputColumns = available
        }
    }
}

extension PreprocessingStep {
    /// Positions of `columns` in `available`; unknown, repeated or missing names are refused.
    func columnIndices(label: String, available: [String], droppedBy: [String: String] = [:]) throws -> [Int] {
        guard let columns, !columns.isEmpty else { throw PreprocessingError.emptyStep(label) }
        var seen = Set<String>()
        return try columns.map { name in
            guard seen.insert(name).inserted else { throw PreprocessingError.duplicateColumn(name, step: label) }
            guard let i = available.firstIndex(of: name) else {
                throw PreprocessingError.unknownColumn(name, step: label, available: available, dropped: droppedBy[name])
            }
            return i
        }
    }

    /// The reference's (px, py) positions and the flattened (px, py) positions of the other vectors.
    func rotationLayout(label: String, available: [String],
                        droppedBy: [String: String] = [:]) throws -> (px: Int, py: Int, pairs: [Int]) {
        let reference = self.reference ?? "mu2"
        func position(_ name: String) throws -> Int {
            guard let i = available.firstIndex(of: name) else {
                throw PreprocessingError.unknownColumn(name, step: label, available: available, dropped: droppedBy[name])
            }
            return i
        }
        if let axes {
            guard axes.count >= 2, axes.count % 2 == 0 else {
                throw PreprocessingError.damaged(label, "expected (px, py) column pairs, found \(axes.count) names")
            }
            var seen = Set<String>()
            for name in axes where !seen.insert(name).inserted { throw PreprocessingError.duplicateColumn(name, step: label) }
            let positions = try axes.map(position)
            return (positions[0], positions[1], Array(positions.dropFirst(2)))
        }
        let px = try position(reference + "_px"), py = try position(reference + "_py")
        var prefixes: [String]
        if let columns {
            var seen = Set<String>()
            for prefix in columns where !seen.insert(prefix).inserted {
                throw PreprocessingError.duplicateColumn(prefix, step: label)
            }
            prefixes = columns
        } else {
            prefixes = available.compactMap { name in
                guard name.hasSuffix("_px") else { return nil }
                let prefix = String(name.dropLast(3))
                return available.contains(prefix + "_py") ? prefix : nil
            }
        }
        var pairs: [Int] = []
        for prefix in prefixes where prefix != reference {
            pairs.append(try position(prefix + "_px"))
            pairs.append(try position(prefix + "_py"))
        }
        return (px, py, pairs)
    }
}
