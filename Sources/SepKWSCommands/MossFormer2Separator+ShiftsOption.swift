import ArgumentParser
import Separation

extension MossFormer2Separator {
    /// Refuses a `--shifts` value this model cannot take (more than its encoder stride), naming the model.
    /// - Throws: `ValidationError`.
    func checkShifts(_ shifts: Int, model directory: String) throws {
        guard shifts <= maximumShifts else {
            throw ValidationError("--shifts \(shifts): \(directory) takes at most \(maximumShifts) (its encoder stride)")
        }
    }
}
