import AudioIO
import Foundation
import Separation

/// The separator of each input of a batch (`sepkws separate`): the one given, else the shipped model for the input's
/// rate (``ModelLocator/separator(forInputRate:in:)``), each loaded once.
///
/// Inputs that can be read only once (a FIFO, `<(...)`, `/dev/stdin`) are opened to learn their rate and kept open
/// for their separation (``takeOpened(_:)``).
///
/// ```swift
/// let selection = try SeparatorSelection(model: nil, stdinRate: 16_000)
/// let (directory, separator) = try selection.separator(for: "talk.flac")
/// ```
public final class SeparatorSelection {
    /// The model folder given (`--model`), used for every input; nil chooses by rate.
    public let model: String?
    /// The rate of raw PCM read from stdin (`-`).
    public let stdinRate: Int
    private let check: (MossFormer2Separator, String) throws -> Void
    private var opened: [String: AudioFileReader] = [:]
    private var loaded: [String: MossFormer2Separator] = [:]

    /// Loads `model` at once, if given, so that a bad one fails before any input is read.
    /// - Parameter check: refuses a loaded model for the options in use (it gets the model and its folder).
    /// - Throws: `SeparationError` for a bad model, what `check` throws.
    public init(model: String?, stdinRate: Int, check: @escaping (MossFormer2Separator, String) throws -> Void = { _, _ in }) throws {
        self.model = model
        self.stdinRate = stdinRate
        self.check = check
        if let model {
            let separator = try MossFormer2Separator(directory: model)
            try check(separator, model)
            loaded[model] = separator
        }
    }

    /// The rate of `file` (stdin: ``stdinRate``), opening it once.
    /// - Throws: `AudioIOError` if it cannot be read.
    public func inputRate(of file: String) throws -> Int {
        if file == "-" { return stdinRate }
        if let reader = opened[file] { return reader.info.sampleRate }
        let reader = try AudioFileReader(path: file)
        if OutputPath.kind(of: file) != .file { opened[file] = reader }
        return reader.info.sampleRate
    }

    /// The separator for `file` and its folder.
    /// - Throws: `SeparationError.noModel` when none is given or shipped; load and `check` errors; `AudioIOError`.
    public func separator(for file: String) throws -> (directory: String, model: MossFormer2Separator) {
        let directory = try model ?? ModelLocator.separator(forInputRate: try inputRate(of: file)) ?? {
            throw SeparationError.noModel(hint: "none is shipped in Models/ (searched \(ModelLocator.searchPath.joined(separator: ", "))); pass --model DIR")
        }()
        if let separator = loaded[directory] { return (directory, separator) }
        let separator = try MossFormer2Separator(directory: directory)
        try check(separator, directory)
        loaded[directory] = separator
        return (directory, separator)
    }

    /// The reader opened for `file` while learning its rate (an input that can be read only once), handed over once.
    public func takeOpened(_ file: String) -> AudioFileReader? { opened.removeValue(forKey: file) }
}
