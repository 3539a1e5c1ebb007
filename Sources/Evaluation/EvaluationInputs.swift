import Comm
import Foundation
import Physics
import Support

/// The files and columns `latentsim evaluate` compares, resolved and checked before any table is
/// read, so a wrong path or column name costs nothing and says what to pass instead.
public struct EvaluationInputs {
    /// The real (reference) table file.
    public let real: String
    /// The generated table file (GEN/events.h5 when a directory was passed).
    public let generated: String
    /// Where evaluation.json goes: `--out`, else GEN/evaluation.json for a directory, else nowhere.
    public let out: String?

    /// The name `latentsim generate` gives its master file inside the output directory.
    public static let generatedFileName = "events.h5"
    public static let reportFileName = "evaluation.json"

    public static func resolve(real: String, generated: String, out: String?) throws -> EvaluationInputs {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: real, isDirectory: &isDirectory) else {
            throw InputError("real table '\(real)' does not exist; pass the real events (HDF5 or CSV file) with --real",
                             exitCode: ExitStatus.noInput)
        }
        if isDirectory.boolValue {
            throw InputError("real table '\(real)' is a directory; pass the real events as an HDF5 or CSV file with --real",
                             exitCode: ExitStatus.noInput)
        }
        guard fm.fileExists(atPath: generated, isDirectory: &isDirectory) else {
            throw InputError("generated table '\(generated)' does not exist; pass the directory `latentsim generate` "
                             + "wrote or an HDF5/CSV table with --generated", exitCode: ExitStatus.noInput)
        }
        guard isDirectory.boolValue else { return EvaluationInputs(real: real, generated: generated, out: out) }
        let file = (generated as NSString).appendingPathComponent(generatedFileName)
        guard fm.fileExists(atPath: file) else {
            throw InputError("generated directory '\(generated)' has no \(generatedFileName) ('\(file)' does not exist); "
                             + "pass the directory `latentsim generate` wrote, or the table file itself",
                             exitCode: ExitStatus.noInput)
        }
        return EvaluationInputs(real: real, generated: file,
                                out: out ?? (generated as NSString).appendingPathComponent(reportFileName))
    }

    /// The columns to compare: `requested` (comma-separated) if given, each present in both tables;
    /// else every column of the real table that the generated one also has, in the real table's order.
    public static func columns(requested: String?, real: [String], generated: [String],
                        realPath: String, generatedPath: String) throws -> [String] {
        guard let requested else {
            let common = real.filter(generated.contains)
            guard !common.isEmpty else {
                throw InputError("real table '\(realPath)' (columns \(list(real))) and generated table '\(generatedPath)' "
                                 + "(columns \(list(generated))) have no column in common; compare tables of the same "
                                 + "kind of events", exitCode: ExitStatus.dataError)
            }
            return common
        }
        let names = requested.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if names.contains(where: \.isEmpty) {
            throw InputError("--columns '\(requested)' has an empty name; pass comma-separated column names, "
                             + "e.g. --columns mu1_pt,met_px", exitCode: ExitStatus.usage)
        }
        var seen = Set<String>()
        for name in names {
            guard seen.insert(name).inserted else {
                throw InputError("--columns names '\(name)' twice; name each column once", exitCode: ExitStatus.usage)
            }
            for (table, path, columns) in [("real", realPath, real), ("generated", generatedPath, generated)]
            where !columns.contains(name) {
                let hint = DerivedQuantity(rawValue: name) != nil
                    ? " ('\(name)' is a derived quantity: it is evaluated whenever its input columns are listed)" : ""
                throw InputError("--columns names '\(name)', which the \(table) table '\(path)' does not have\(hint); "
                                 + "choose from the columns of both tables: \(list(real.filter(generated.contains)))",
                                 exitCode: ExitStatus.usage)
            }
        }
        return names
    }

    private static func list(_ names: [String]) -> String { names.isEmpty ? "(none)" : names.joined(separator: ", ") }
}
