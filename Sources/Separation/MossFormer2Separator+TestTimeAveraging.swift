extension MossFormer2Separator {
    /// The most passes ``separate(_:shifts:bothPolarities:)`` takes per polarity: the encoder stride, after which
    /// delays would repeat.
    public var maximumShifts: Int { configuration.encoderKernelSize / 2 }

    /// Separates `mixture` several times and averages the estimates (test-time augmentation):
    /// - `shifts` passes, each delayed by another fraction of the encoder's stride (as Demucs' `shifts`): the strided
    ///   encoder frames each run differently, so their errors partly cancel;
    /// - with `bothPolarities`, as many passes again on the negated mixture, their estimates negated back. Separation
    ///   commutes with negation (`-x` holds the talkers `-s1`, `-s2`), so the average is then exactly
    ///   polarity-equivariant: a negated input gives the negated output, whatever the weights learnt.
    ///
    /// Within a polarity, each pass is put in the speaker order of its first (``PermutationAligner``) and averaged;
    /// the negated polarity's average is then put in the order of the other's, and the two averaged. (Aligning the
    /// two averages to each other, rather than every pass to the very first, keeps the equivariance exact even
    /// where the order is ambiguous.) Costs `shifts` passes, twice that with `bothPolarities`; `shifts == 1` alone
    /// is ``separate(_:)``.
    /// - Parameters:
    ///   - mixture: `[T]` samples at the model's rate.
    ///   - shifts: passes per polarity, 1 up to ``maximumShifts`` (the encoder stride); pass `k` is delayed by
    ///     `k * stride / shifts` samples.
    ///   - bothPolarities: also separate `-mixture` and average in the negated estimates.
    ///   - workspace: the inference buffers (``makeWorkspace()``); nil makes one for this call's passes.
    /// - Returns: `[numSpks][T]` estimates.
    public func separate(
        _ mixture: [Float], shifts: Int, bothPolarities: Bool = false, workspace: MossFormer2Workspace? = nil
    ) -> [[Float]] {
        precondition(shifts >= 1 && shifts <= maximumShifts, "separate: shifts \(shifts) is outside 1...\(maximumShifts)")
        let workspace = workspace ?? makeWorkspace()
        let asRecorded = separate(mixture, shifts: shifts, sign: 1, workspace: workspace)
        guard bothPolarities, !mixture.isEmpty else { return asRecorded }
        let negated = separate(mixture, shifts: shifts, sign: -1, workspace: workspace)
        let order = PermutationAligner.order(previous: asRecorded, current: negated)
        return asRecorded.indices.map { c in zip(asRecorded[c], negated[order[c]]).map { ($0 + $1) * 0.5 } }
    }

    /// The `shifts` passes over `sign * mixture`, each multiplied by `sign` again and put in the first pass's
    /// speaker order, averaged: `[numSpks][T]`.
    private func separate(_ mixture: [Float], shifts: Int, sign: Float, workspace: MossFormer2Workspace) -> [[Float]] {
        let signed = sign == 1 ? mixture : mixture.map { -$0 }
        var first: [[Float]] = [], sums: [[Float]] = []
        for pass in 0..<shifts {
            let delay = pass * maximumShifts / shifts
            let input = [Float](repeating: 0, count: delay) + signed
            let estimates = separate(input, workspace: workspace).map { $0[delay..<delay + mixture.count].map { $0 * sign } }
            guard pass > 0 else { first = estimates; sums = estimates; continue }
            let order = PermutationAligner.order(previous: first, current: estimates)
            for c in sums.indices {
                let source = estimates[order[c]]
                for i in sums[c].indices { sums[c][i] += source[i] }
            }
        }
        guard shifts > 1 else { return sums }
        let scale = 1 / Float(shifts)
        return sums.map { $0.map { $0 * scale } }
    }
}
