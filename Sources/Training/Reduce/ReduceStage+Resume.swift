import EventStore
import Foundation
import Support

extension ReduceStage {
    /// Options a resumed reduction may change: `steps` only truncates the schedule (a shorter run
    /// resumed with more steps walks the uninterrupted path), `checkpoint_every` only decides when
    /// model.h5 is written, and `out` is the directory being resumed however it is spelled.
    static let resumableChanges: Set<String> = ["steps", "checkpoint_every", "out"]

    /// With --resume, refuses a run directory whose RUN/model.h5 was trained with a different
    /// configuration (lr, batch, seed, widths, roles, …), compared by effective values as the
    /// ensemble does, before anything is written. A missing model.h5 starts afresh and a damaged
    /// one is reported by the restore with its own fix, so both pass here. Rank 0 only.
    static func refuseDifferent(_ s: ReduceSettings) throws {
        let path = (s.out as NSString).appendingPathComponent("model.h5")
        guard s.resume, FileManager.default.fileExists(atPath: path),
              let stored = try? Checkpoint.read(from: path).string("config") else { return }
        try ConfigDifference.refuseResume(of: "a reduction", in: s.out, stored: stored, storedFile: path,
                                          storedName: "stored configuration",
                                          unreadableFix: "rerun without --resume to start over, or choose another --out",
                                          current: s.toml, section: "reduce", schema: ReduceSettings.schema,
                                          ignoring: resumableChanges)
    }
}
