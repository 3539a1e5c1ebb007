import Comm
import Evaluation
import Foundation
import Support

extension PipelineStages {
    /// The last stage: DIR/report/index.html. Without Python or its plotting packages the pipeline
    /// notes the missing report in one line and still succeeds (every result file is written). The
    /// derived quantities are drawn under the job's `[roles]` and `--roles`, as evaluate compared them.
    public static func report(_ s: PipelineSettings, comm: Communicator, console: Console) throws {
        do {
            var settings = ReportSettings(run: s.out)
            settings.rolesConfig = s.job
            settings.rolesOption = s.rolesOption
            try stage("report", console) { try ReportStage.run(settings, comm: comm, console: console) }
        } catch let missing as ReportUnavailable {
            console.line("== pipeline: no report (\(missing.message)); everything else is written")
        } catch let peer as PeerFailure where peer.exitCode == ExitStatus.unavailable {
            return  // rank 0 had the missing report and noted it
        }
    }
}
