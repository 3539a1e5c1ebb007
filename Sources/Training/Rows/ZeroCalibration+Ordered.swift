import EventStore

extension ZeroCalibration {
    /// The column lists of `preprocessor`'s ordered steps (`PreprocessingStep.ordered`), leading column first.
    public static func orderedSequences(_ preprocessor: Preprocessor) -> [[String]] {
        preprocessor.steps.filter { $0.kind == .ordered }.compactMap(\.columns)
    }

    /// The spikes a calibration may act on when columns form ordered sequences: the later columns
    /// of a sequence are left out (the ordered inverse gives their exact zeros and keeps them at
    /// or above the threshold, and a per-column threshold could zero a jet while the next one
    /// stays), and the leading column takes them as followers, zeroed wherever it is.
    public static func ordered(_ spikes: [Spike], _ sequences: [[String]]) -> [Spike] {
        let later = Set(sequences.flatMap { $0.dropFirst() })
        return spikes.filter { !later.contains($0.name) }.map { spike in
            var spike = spike
            spike.followers = sequences.first { $0.first == spike.name }.map { Array($0.dropFirst()) } ?? []
            return spike
        }
    }
}
