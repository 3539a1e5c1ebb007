import Foundation

/// SIGTERM and SIGUSR1 (Slurm's warning signal, forwarded by mpirun) request a clean stop: the
/// current step finishes, a checkpoint is written, and the run exits with ExitStatus.resumable.
public enum StopSignal {
    /// Internal so that tests can raise and clear a stop request without a signal.
    static let flag: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.pointee = 0
        return p
    }()

    public static func install() {
        _ = flag
        let handler: @convention(c) (Int32) -> Void = { signal in StopSignal.flag.pointee = signal }
        signal(SIGTERM, handler)
        signal(SIGUSR1, handler)
    }

    /// The signal received (0 if none).
    public static var received: Int32 { flag.pointee }
}
