import Support

/// How the world's ranks form the ensemble's groups: r ranks per restart, given as an integer or as
/// "auto". Each group trains its restart data-parallel on the global batch: every rank takes the
/// members of the global batch that lie in its shard of the rows (ShardedBatches) and its contiguous
/// share of the generated rows (first ranks one longer), and gradients are per-row sums scaled once
/// by the global rows. So a batch need not divide by r: any group size trains the same model up to
/// the order of float sums (GANRanksTests: 1, 2 and 3 ranks).
extension GANSettings {
    /// "auto": the most groups that share the restarts evenly, gcd(R, M) groups of R / gcd(R, M)
    /// ranks. R / M when M divides R (restarts = 1: every rank in one group), 1 when R divides M;
    /// otherwise fewer, larger groups, so that no group idles or trains more restarts than another
    /// (R = 3, M = 2: one group of 3 trains both restarts in turn).
    public static func autoRanksPerRestart(worldSize: Int, restarts: Int) -> Int {
        var a = worldSize, b = restarts
        while b != 0 { (a, b) = (b, a % b) }
        return worldSize / a
    }

    /// These settings on a world of `size` ranks: "auto" resolved to its integer, which config.toml
    /// then records (a restart's bits depend on r, so rerunning on a rank count that gives another r
    /// is refused as a different configuration instead of mixing group sizes), and r checked to divide R.
    public func forWorld(size: Int) throws -> GANSettings {
        var s = self
        if s.ranksPerRestartIsAuto {
            s.ranksPerRestart = GANSettings.autoRanksPerRestart(worldSize: size, restarts: s.restarts)
            s.ranksPerRestartIsAuto = false
            var lines = s.toml.components(separatedBy: "\n")
            if let i = lines.firstIndex(of: "ranks_per_restart = \"auto\"") { lines[i] = "ranks_per_restart = \(s.ranksPerRestart)" }
            s.toml = lines.joined(separator: "\n")
        }
        try s.checkRanks(worldSize: size)
        return s
    }

    /// Checks that need the world size: r divides R.
    public func checkRanks(worldSize: Int) throws {
        guard worldSize % ranksPerRestart == 0 else {
            throw InputError("ranks-per-restart = \(ranksPerRestart) does not divide the \(worldSize) MPI ranks; "
                             + "use an r that divides \(worldSize) or auto, or run with a multiple of \(ranksPerRestart) ranks",
                             exitCode: ExitStatus.usage)
        }
    }
}
