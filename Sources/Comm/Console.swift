import Foundation
import Support

/// Rank-0 logging: plain lines (Slurm logs) and, on a terminal, a progress bar with ETA.
public struct Console {
    public let comm: Communicator
    /// A silent console prints nothing on any rank: a study's inner stages on private communicators.
    public let silent: Bool
    public init(comm: Communicator, silent: Bool = false) {
        self.comm = comm
        self.silent = silent
    }
    /// This process prints: rank 0 of a console that is not silent.
    public var speaks: Bool { comm.isRoot && !silent }
    /// A bar on an interactive terminal; plain lines otherwise. MPI launchers give ranks a pseudo
    /// terminal even when the job's output goes to a file (Slurm logs), so under mpirun/srun plain
    /// lines are the default. LATENTSIM_PROGRESS=bar or =lines overrides.
    public var isTerminal: Bool {
        let env = ProcessInfo.processInfo.environment
        switch env["LATENTSIM_PROGRESS"] {
        case "bar": return true
        case "lines": return false
        default:
            let launched = env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil || env["SLURM_PROCID"] != nil
            return !launched && isatty(STDOUT_FILENO) != 0
        }
    }

    public func line(_ text: String) {
        guard speaks else { return }
        print(text)
        fflush(stdout)
    }

    /// "a, b,c" → ["a", "b", "c"] for comma-separated command-line lists (nil stays nil).
    public static func commaList(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    public func warn(_ text: String) {
        guard speaks else { return }
        FileHandle.standardError.write(Data("warning: \(text)\n".utf8))
    }
}

/// Wall-clock seconds since creation.
public struct Stopwatch {
    public init() {}
    private let start = DispatchTime.now().uptimeNanoseconds
    public var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

extension Double {
    public func formatted(_ digits: Int) -> String { String(format: "%.\(digits)f", self) }
}

/// ProgressBar of a long loop on rank 0: a bar with rate and ETA redrawn in place on a terminal, a
/// plain line every `interval` seconds otherwise (Slurm logs).
public final class ProgressBar {
    private let console: Console
    private let total: Int
    private let label: String
    private let unit: String
    private let clock = Stopwatch()
    private var lastPrint = -1e9
    private var lastPrintTime = 0.0
    private var lastDone: Int
    private let unitsPerItem: Double
    private let interval: Double
    private let startCount: Int

    public init(console: Console, total: Int, start: Int = 0, label: String, unit: String, unitsPerItem: Double = 1,
         interval: Double = 10) {
        self.console = console
        lastDone = start
        self.unitsPerItem = unitsPerItem
        self.total = total
        self.label = label
        self.unit = unit
        self.interval = interval
        startCount = start
    }

    /// `done` of `total` finished; `detail` e.g. "loss 0.0123". The rate is averaged since the last line.
    public func update(_ done: Int, detail: String) {
        guard console.speaks else { return }
        let now = clock.seconds
        let finished = done >= total
        let terminal = console.isTerminal
        guard finished || now - lastPrint >= (terminal ? 0.2 : interval) else { return }
        let rate = Double(done - lastDone) * unitsPerItem / max(now - lastPrintTime, 1e-9)
        lastPrint = now
        lastPrintTime = now
        lastDone = done
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let perItem = done > startCount ? now / Double(done - startCount) : 0
        let eta = ProgressBar.duration(perItem * Double(total - done))
        let text = "\(label) \(done)/\(total) \(detail) \(ProgressBar.rate(rate)) \(unit)/s ETA \(eta)"
        if terminal {
            let width = 24, filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            print("\r[\(bar)] \(Int(fraction * 100))% " + text, terminator: finished ? "\n" : "")
        } else {
            print(text)
        }
        fflush(stdout)
    }

    public static func rate(_ r: Double) -> String { r >= 1e6 ? String(format: "%.2fM", r / 1e6) : r >= 1e3 ? String(format: "%.1fk", r / 1e3) : String(format: "%.0f", r) }

    public static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(String(format: "%02d", t % 3600 / 60))m" : t >= 60 ? "\(t / 60)m\(String(format: "%02d", t % 60))s" : "\(t)s"
    }
}
