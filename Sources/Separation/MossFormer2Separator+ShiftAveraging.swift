extension MossFormer2Separator {
    /// The most passes ``separate(_:shifts:)`` takes: the encoder stride, after which delays would repeat.
    public var maximumShifts: Int { configuration.encoderKernelSize / 2 }

    /// Separates `mixture` `shifts` times, each time delayed by another fraction of the encoder's stride, and
    /// averages the estimates (test-time shift averaging, as Demucs' `shifts`): the strided encoder frames each run
    /// differently, so their errors partly cancel. The estimates of every shift are put in the speaker order of the
    /// first (``PermutationAligner``) before averaging. Costs `shifts` passes; `shifts == 1` is ``separate(_:)``.
    /// - Parameters:
    ///   - mixture: `[T]` samples at the model's rate.
    ///   - shifts: passes, 1 up to ``maximumShifts`` (the encoder stride); pass `k` is delayed by
    ///     `k * stride / shifts` samples.
    /// - Returns: `[numSpks][T]` estimates.
    public func separate(_ mixture: [Float], shifts: Int) -> [[Float]] {
        let stride = maximumShifts
        precondition(shifts >= 1 && shifts <= stride, "separate: shifts \(shifts) is outside 1...\(stride)")
        let first = separate(mixture)
        guard shifts > 1, !mixture.isEmpty else { return first }
        var sums = first
        for pass in 1..<shifts {
            let delay = pass * stride / shifts
            let shifted = separate([Float](repeating: 0, count: delay) + mixture).map { Array($0[delay..<delay + mixture.count]) }
            let order = PermutationAligner.order(previous: first, current: shifted)
            for c in sums.indices {
                let source = shifted[order[c]]
                for i in sums[c].indices { sums[c][i] += source[i] }
            }
        }
        let scale = 1 / Float(shifts)
        return sums.map { $0.map { $0 * scale } }
    }
}
