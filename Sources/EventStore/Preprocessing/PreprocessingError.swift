import Comm
import Support

/// The one-line messages of preprocessing: what was expected, what was found, where, and the fix.
/// Rows are global 0-based event indices (`table.firstRow + local row`), as in the readers.
enum PreprocessingError {
    static func unknownColumn(_ name: String, step: String, available: [String], dropped: String? = nil) -> InputError {
        let note = dropped.map { " ('\(name)' was dropped by \($0))" } ?? ""
        return InputError("\(step): unknown column '\(name)'\(note); expected one of the available columns: "
                          + "\(available.joined(separator: ", ")); fix the column name in the step",
                          exitCode: ExitStatus.usage)
    }

    static func duplicateColumn(_ name: String, step: String) -> InputError {
        InputError("\(step): column '\(name)' is listed twice; expected each column at most once; remove the repeat",
                   exitCode: ExitStatus.usage)
    }

    static func emptyStep(_ step: String) -> InputError {
        InputError("\(step): expected at least one column, found none; name its columns or leave the step out",
                   exitCode: ExitStatus.usage)
    }

    static func badSigma(_ sigma: Double?, step: String) -> InputError {
        InputError("\(step): expected sigma in [0, \(IntegerSmearing.maximumSigma)], found \(sigma.map { String($0) } ?? "none"); "
                   + "use e.g. sigma 0.5", exitCode: ExitStatus.usage)
    }

    static func duplicateTableColumn(_ name: String, first: Int, second: Int) -> InputError {
        InputError("table columns \(first) and \(second) are both named '\(name)'; expected unique column names; "
                   + "rename one of them")
    }

    static func notInteger(_ value: Float, row: Int, column: String) -> InputError {
        InputError("row \(row), column '\(column)': smearInteger expected an integer, found \(value); "
                   + "leave '\(column)' out of the integer columns")
    }

    static func integerTooLarge(_ value: Float, row: Int, column: String) -> InputError {
        InputError("row \(row), column '\(column)': smearInteger expected |value| ≤ \(Int(IntegerSmearing.limit)) "
                   + "(float32 keeps the fraction there), found \(value); leave '\(column)' out of the integer columns")
    }

    static func log1pDomain(_ value: Float, row: Int, column: String) -> InputError {
        InputError("row \(row), column '\(column)': log1p expected a value > -1, found \(value); "
                   + "leave '\(column)' out of the log1p step or shift it first")
    }

    static func zeroSpikeNegative(_ value: Float, row: Int, column: String, step: String) -> InputError {
        InputError("row \(row), column '\(column)': \(step) expected values ≥ 0 (a spike of zeros below a positive "
                   + "continuum), found \(value); leave '\(column)' out of zero_spike")
    }

    static func zeroSpikeNoContinuum(column: String, step: String) -> InputError {
        InputError("\(step): column '\(column)' has no positive training value, expected a continuum above its zeros; "
                   + "leave '\(column)' out of zero_spike")
    }

    static func orderedValue(_ value: Float, row: Int, column: String, step: String) -> InputError {
        InputError("row \(row), column '\(column)': \(step) expected a finite value ≥ 0 (0 = absent), found "
                   + "\(value.isNaN ? "nan" : String(describing: value)); clean the input or leave '\(column)' out of ordered")
    }

    static func unordered(row: Int, column: String, value: Float, previous: String, previousValue: Float, step: String) -> InputError {
        InputError("row \(row): \(step) expected \(previous) ≥ \(column) (a descending sequence, 0 = absent, leading first), "
                   + "found \(column) = \(value) > \(previous) = \(previousValue); list the columns leading first or leave them out of ordered")
    }

    static func orderedNoValue(columns: [String], step: String) -> InputError {
        InputError("\(step): expected a positive training value in \(columns.joined(separator: ", ")), found only zeros; "
                   + "leave these columns out of ordered")
    }

    static func nonFinite(_ value: Float, row: Int, column: String, step: String) -> InputError {
        InputError("row \(row), column '\(column)': \(step) expected a finite value to fit on, found "
                   + "\(value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")); clean the input or drop non-finite rows")
    }

    static func emptyTraining() -> InputError {
        InputError("preprocessing fit: expected at least one training row, found 0; check the training split")
    }

    static func notFitted() -> InputError {
        InputError("preprocessor used before it was fitted; expected fit(_:comm:) on the training table first",
                   exitCode: ExitStatus.software)
    }

    static func columnMismatch(expected: [String], found: [String], direction: String) -> InputError {
        let firstDifference = zip(expected, found).enumerated().first { $0.element.0 != $0.element.1 }
        let place = firstDifference.map { ", first difference at column \($0.offset) ('\($0.element.0)' expected, '\($0.element.1)' found)" }
            ?? " (\(expected.count) columns expected, \(found.count) found)"
        return InputError("preprocessing \(direction): expected columns \(expected.joined(separator: " ")), found "
                          + "\(found.joined(separator: " "))\(place); use a table with the columns the preprocessor was fitted on")
    }

    static func notElementwise(_ step: String) -> InputError {
        InputError("\(step): differentiating the inverse preprocessing expected elementwise steps (standardize, minMax, "
                   + "log1p, smearInteger, zeroSpike, quantile) after pair steps (pairMass, pairPt, ordered), found a step whose inverse "
                   + "mixes the columns of a row with no kept derivative (rotateAzimuth); leave it out of the "
                   + "preprocessing or turn the gradient terms off (regression = [], mmd = [])", exitCode: ExitStatus.usage)
    }

    static func pairAfterElementwise(_ step: String) -> InputError {
        InputError("\(step): differentiating the inverse preprocessing expected the pair steps (pairMass, pairPt) ahead of "
                   + "every elementwise step, found it after one; put it first, as reduce's pair_mass does", exitCode: ExitStatus.usage)
    }

    static func damaged(_ step: String, _ detail: String) -> InputError {
        InputError("stored preprocessor \(step): \(detail); the model file is damaged, refit the model")
    }
}
