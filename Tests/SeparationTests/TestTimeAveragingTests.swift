import Foundation
import Separation
import Testing
import TestSupport

/// Test-time averaging: one shift is the plain pass; more shifts average passes delayed by fractions of the
/// encoder stride, each put in the first pass's speaker order; both polarities add the negated mixture's passes,
/// negated back, which makes the average polarity-equivariant.
@Suite struct TestTimeAveragingTests {
    static func tinyModel() throws -> MossFormer2Separator {
        let model = try MossFormer2Separator(configuration: .tiny, seed: 7)
        model.setTraining(false)
        return model
    }

    @Test func passesAreDelayedAlignedAndAveraged() throws {
        let model = try Self.tinyModel()
        #expect(model.maximumShifts == 8)
        let mixture: [Float] = (0..<1_200).map { i in
            let t = Double(i)
            return Float(0.3 * sin(t * 0.05) + 0.2 * sin(t * 0.31 + 1))
        }
        #expect(model.separate(mixture, shifts: 1) == model.separate(mixture))
        // Two shifts: the plain pass and one delayed by 4 samples (half the stride), cut back to the mixture.
        let plain = model.separate(mixture)
        let delayed = model.separate([Float](repeating: 0, count: 4) + mixture).map { Array($0[4..<4 + mixture.count]) }
        #expect(delayed != plain)
        let order = PermutationAligner.order(previous: plain, current: delayed)
        let expected = (0..<2).map { c in zip(plain[c], delayed[order[c]]).map { ($0 + $1) * 0.5 } }
        let averaged = model.separate(mixture, shifts: 2)
        #expect(averaged.count == 2 && averaged.allSatisfy { $0.count == mixture.count })
        for c in 0..<2 {
            let error = zip(averaged[c], expected[c]).map { abs($0 - $1) }.max()!
            #expect(error < 1e-6, "talker \(c): \(error)")
        }
        let empty = model.separate([], shifts: 4)
        #expect(empty.count == 2 && empty.allSatisfy { $0.isEmpty })
    }

    @Test func bothPolaritiesAverageTheNegatedPassAndAreEquivariant() throws {
        let model = try Self.tinyModel()
        let mixture: [Float] = (0..<1_200).map { i in
            let t = Double(i)
            return Float(0.3 * sin(t * 0.05) + 0.2 * sin(t * 0.31 + 1) + 0.1 * sin(t * 0.013))
        }
        let negated = mixture.map { -$0 }
        let plain = model.separate(mixture)
        let flipped = model.separate(negated).map { $0.map { -$0 } }
        #expect(zip(plain[0], flipped[0]).map { abs($0 - $1) }.max()! > 1e-4)   // the untrained model is not equivariant
        let order = PermutationAligner.order(previous: plain, current: flipped)
        let expected = (0..<2).map { c in zip(plain[c], flipped[order[c]]).map { ($0 + $1) * 0.5 } }
        let averaged = model.separate(mixture, shifts: 1, bothPolarities: true)
        for c in 0..<2 {
            let error = zip(averaged[c], expected[c]).map { abs($0 - $1) }.max()!
            #expect(error < 1e-6, "talker \(c): \(error)")
        }
        // Negating the input negates the output (up to speaker order), with and without shifts.
        for shifts in [1, 4] {
            let forward = model.separate(mixture, shifts: shifts, bothPolarities: true)
            let backward = model.separate(negated, shifts: shifts, bothPolarities: true).map { $0.map { -$0 } }
            let aligned = PermutationAligner.order(previous: forward, current: backward)
            for c in 0..<2 {
                let error = zip(forward[c], backward[aligned[c]]).map { abs($0 - $1) }.max()!
                #expect(error < 1e-5, "shifts \(shifts), talker \(c): \(error)")
            }
        }
    }
}
