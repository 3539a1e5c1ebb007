/// The area under the ROC curve of a scored two-class sample.
public enum ROCArea {
    /// P(score of a positive > score of a negative), each row drawn in proportion to its weight,
    /// ties counting ½ (the weighted Mann–Whitney U). With unit weights every sum is an exact
    /// integer or half-integer, so it equals the rank-sum form bit for bit. NaN without positive or
    /// negative weight.
    public static func auc(scores: [Double], positive: [Bool], weights: [Double]? = nil) -> Double {
        precondition(scores.count == positive.count && (weights?.count ?? scores.count) == scores.count,
                     "one label and weight per score")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var below = 0.0, wins = 0.0, positiveTotal = 0.0
        var i = 0
        while i < order.count {
            var j = i, groupPositive = 0.0, groupNegative = 0.0
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            for m in i...j {
                let w = weights?[order[m]] ?? 1
                if positive[order[m]] { groupPositive += w } else { groupNegative += w }
            }
            // The group's positives beat every lower negative and tie (½) those of their own score.
            wins += groupPositive * (below + groupNegative / 2)
            below += groupNegative
            positiveTotal += groupPositive
            i = j + 1
        }
        guard positiveTotal > 0, below > 0 else { return .nan }
        return wins / (positiveTotal * below)
    }
}
