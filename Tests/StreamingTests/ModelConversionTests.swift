import Foundation
import NN
import Separation
import Streaming
import Testing
import TestSupport

/// A model folder's weights stored as float16: the folder complete, the rounding small, the source never replaced.
@Suite struct ModelConversionTests {
    @Test func convertsToHalfPrecisionAndRefusesAnExistingTarget() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try MossFormer2Separator(configuration: .tiny, dropout: 0, seed: 1).write(directory: dir.file("sep"))
        let result = try ModelConversion.convert(model: dir.file("sep"), to: dir.file("half"), dtype: .f16)
        #expect(result.largestRelativeError.value > 0 && result.largestRelativeError.value < 1e-3)
        #expect(FileManager.default.fileExists(atPath: dir.file("half/config.json")))
        #expect(try ModelSummary(directory: dir.file("half")).dtype == "F16")
        #expect(throws: ModelDirectoryError.alreadyExists(path: dir.file("half"))) {
            try ModelConversion.convert(model: dir.file("sep"), to: dir.file("half"), dtype: .bf16)
        }
    }
}
