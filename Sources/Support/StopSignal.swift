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

    /// Test hook, for deterministic preemption tests: with `LATENTSIM_TEST_STOP=STAGE:N` in the
    /// environment, the Nth call of `tick(STAGE)` in this process (a step, a chunk or a shard done)
    /// sends SIGUSR1 to the process itself, exactly as Slurm's warning would (so the handler the
    /// stage installed is exercised). Without the variable a tick does nothing.
    public static func tick(_ stage: String) {
        guard let target = hook, target.stage == stage else { return }
        ticks += 1
        if ticks == target.count { kill(getpid(), SIGUSR1) }
    }

    nonisolated(unsafe) private static var ticks = 0
    private static let hook: (stage: String, count: Int)? = {
        guard let text = ProcessInfo.processInfo.environment["LATENTSIM_TEST_STOP"] else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let count = Int(parts[1]), count > 0 else { return nil }
        return (String(parts[0]), count)
    }()
}
