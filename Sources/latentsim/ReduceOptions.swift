import ArgumentParser
import Comm
import Foundation

/// Command-line options of `reduce`; each overrides the same key of the job file's [reduce] table.
struct ReduceOptions: ParsableArguments {
    @Option(help: "Job file (TOML) whose [reduce] table holds defaults for every option.") var config: String?
    @Option(help: "Input table (HDF5 or CSV).") var data: String?
    @Option(help: "Dataset or group inside the HDF5 file.") var dataset: String?
    @Option(help: "Comma-separated feature columns.") var columns: String?
    @Option(help: "ae or pca.") var method: String?
    @Option(help: "Number of latent variables n.") var latent: Int?
    @Option(help: "Training epochs.") var epochs: Int?
    @Option(help: "Stop after this many optimizer steps in total (default: every step of every epoch).") var steps: Int?
    @Option(help: "Global batch size (split across ranks).") var batch: Int?
    @Option(help: "Random seed.") var seed: UInt64?
    @Option(help: "Encoder hidden widths, comma-separated (the decoder mirrors them).") var widths: String?
    @Option(help: "Learning rate.") var lr: Double?
    @Option(help: "adam, adadelta or sgd.") var optimizer: String?
    @Option(help: "Held-out fraction for evaluation.") var holdout: Double?
    @Option(help: "Checkpoint every K steps.") var checkpointEvery: Int?
    @Option(help: "Rotate events so mu2_py = 0 (true/false; default: when mu2_px/mu2_py exist).") var rotate: Bool?
    @Flag(help: "Drop rows with NaN/Inf instead of refusing the file.") var dropNonfinite = false
    @Option(help: "Run directory.") var out: String?
    @Flag(help: "Continue from RUN/model.h5.") var resume = false

    func resolve() throws -> ReduceSettings {
        func list(_ text: String?) -> [String]? {
            text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
        let widthList = try list(widths).map { items in
            try items.map { item -> Int in
                guard let w = Int(item) else {
                    throw InputError("--widths expects comma-separated integers, found '\(item)'", exitCode: ExitStatus.usage)
                }
                return w
            }
        }
        guard let data else {
            throw InputError("no input table; pass --data FILE or set data in the job file", exitCode: ExitStatus.usage)
        }
        guard let out else { throw InputError("no run directory; pass --out RUN", exitCode: ExitStatus.usage) }
        let methodName = method ?? "ae"
        guard let m = Reducer.Method(rawValue: methodName) else {
            throw InputError("unknown method '\(methodName)'; expected one of: ae, pca", exitCode: ExitStatus.usage)
        }
        var s = ReduceSettings(data: data, dataset: dataset ?? "events", columns: list(columns) ?? [], method: m,
                               latent: latent ?? 4, epochs: epochs ?? 20, steps: steps, batch: batch ?? 512, seed: seed ?? 1,
                               widths: widthList ?? [512, 128, 64, 8], lr: lr ?? 1e-3, optimizer: optimizer ?? "adam",
                               holdout: holdout ?? 0.1, checkpointEvery: checkpointEvery ?? 1000, rotate: rotate,
                               dropNonFinite: dropNonfinite, out: out, resume: resume, toml: "")
        try s.validate()
        s.toml = ""
        return s
    }
}
