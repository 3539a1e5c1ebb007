import Comm
import Foundation

/// Rank-0 logging: plain lines (Slurm logs) and, on a terminal, a progress bar with ETA.
struct Console {
    let comm: Communicator
    var isTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    func line(_ text: String) {
        guard comm.isRoot else { return }
        print(text)
        fflush(stdout)
    }

    func warn(_ text: String) {
        guard comm.isRoot else { return }
        FileHandle.standardError.write(Data("warning: \(text)\n".utf8))
    }
}

/// Wall-clock seconds since creation.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds
    var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

extension Double {
    func formatted(_ digits: Int) -> String { String(format: "%.\(digits)f", self) }
}
