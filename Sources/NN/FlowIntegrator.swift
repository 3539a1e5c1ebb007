import Support

/// The fixed-step ODE integrators of a flow-matching sampler: dx/dt = v(x, t) from t = 0 (the
/// noise) to t = 1 (a generated row) in K equal steps h = 1/K, every row on the same time grid.
/// Euler is first order (global error ∝ h), midpoint and Heun second order (∝ h²) at two velocity
/// evaluations per step, so for the same number of network passes they are far closer to the
/// flow's exact transport than Euler (`FlowSamplerTests` measures the orders).
public enum FlowIntegrator: String, CaseIterable, Sendable {
    /// x ← x + h·v(x, t).
    case euler
    /// x ← x + h·v(x + ½h·v(x, t), t + ½h).
    case midpoint
    /// x ← x + ½h·(v₁ + v₂), v₁ = v(x, t), v₂ = v(x + h·v₁, t + h) (the explicit trapezoid).
    case heun

    /// Velocity evaluations (network passes) per step.
    public var evaluations: Int { self == .euler ? 1 : 2 }

    /// Scratch floats `integrate` needs for `count` state values.
    public func scratch(count: Int) -> Int { (self == .heun ? 3 : self == .midpoint ? 2 : 1) * count }

    /// Integrates the `count` values of `x` (rows × width, in place) over `steps` steps.
    /// `velocity(state, t, out)` writes v(state, t) for every row of `state` (count values) to `out`;
    /// `scratch` holds `scratch(count:)` floats. Times are k/K and k/K + h/2 in Float, the same for
    /// every row and every call, so a row's result does not depend on its batch.
    public func integrate(_ x: UnsafeMutablePointer<Float>, count: Int, steps: Int, scratch: UnsafeMutablePointer<Float>,
                          velocity: (UnsafePointer<Float>, Float, UnsafeMutablePointer<Float>) -> Void) {
        precondition(steps > 0, "a flow needs at least one step")
        // v: the velocity; y: the intermediate state (midpoint, Heun); w: Heun's second velocity.
        let h = 1 / Float(steps), v = scratch, y = scratch + count, w = scratch + 2 * count
        for k in 0..<steps {
            let t = Float(k) * h
            switch self {
            case .euler:
                velocity(UnsafePointer(x), t, v)
                for i in 0..<count { x[i] += h * v[i] }
            case .midpoint:
                velocity(UnsafePointer(x), t, v)
                for i in 0..<count { y[i] = x[i] + 0.5 * h * v[i] }
                velocity(UnsafePointer(y), t + 0.5 * h, v)
                for i in 0..<count { x[i] += h * v[i] }
            case .heun:
                velocity(UnsafePointer(x), t, v)
                for i in 0..<count { y[i] = x[i] + h * v[i] }
                velocity(UnsafePointer(y), t + h, w)
                for i in 0..<count { x[i] += 0.5 * h * (v[i] + w[i]) }
            }
        }
    }
}

/// The time input of a flow-matching velocity network: t and sin/cos of πt and 2πt beside the
/// state, so a small MLP can change its field along the path without learning the time
/// dependence from one scalar alone.
public enum FlowTime {
    /// Time features per row.
    public static let width = 5
    /// Stored with flow snapshots (`flow_time`): a snapshot with another embedding is refused.
    public static let name = "t,sin(pi t),cos(pi t),sin(2 pi t),cos(2 pi t)"

    /// Writes the `width` features of t to `out`.
    @inline(__always)
    public static func write(_ t: Float, to out: UnsafeMutablePointer<Float>) {
        let a = Double.pi * Double(t)
        out[0] = t
        out[1] = Float(_sin(a))
        out[2] = Float(_cos(a))
        out[3] = Float(_sin(2 * a))
        out[4] = Float(_cos(2 * a))
    }
}
