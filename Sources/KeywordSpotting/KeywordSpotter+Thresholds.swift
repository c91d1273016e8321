import Foundation
import NN

extension KeywordSpotter {
    /// Stores calibrated detection thresholds in a model folder: rewrites its `config.json` with `thresholds` set
    /// (the weights are untouched). `detect` and `eval-stream` use them when `--threshold` does not set a keyword's.
    /// - Parameters:
    ///   - thresholds: label -> threshold in [0, 1]; labels must be the model's.
    ///   - directory: the model folder.
    /// - Throws: ``KeywordSpottingError`` if the folder cannot be read, a label or value is invalid, or writing fails.
    public static func storeThresholds(_ thresholds: [String: Float], inModel directory: String) throws(KeywordSpottingError) {
        var configuration = try loadConfiguration(directory: directory)
        configuration.thresholds = (configuration.thresholds ?? [:]).merging(thresholds) { $1 }
        for label in thresholds.keys { _ = try configuration.storedThreshold(for: label) }
        do { try ModelDirectory(directory).replaceConfiguration(configuration.jsonData()) } catch { throw .modelDirectory(error) }
    }
}
