import AudioIO
import Foundation

/// Where `separate` writes each input's talkers, decided for all inputs before any is separated, and checked:
/// no output may overwrite an input, and no two inputs may write the same output (`a/x.wav` and `b/x.wav` into one
/// `--out-dir`, or `x.wav` and `x.flac`). Paths are compared after resolving links, `.` and `..`.
///
/// This is the one place that names outputs: with `--out-dir`, an input found in a folder (or under `--relative-to`)
/// writes into the same relative folder under it (a mirrored tree), any other input into `--out-dir` itself.
public struct SeparationOutputPlan {
    /// Every planned input with its outputs (`[speakers]` paths, talker 1 first), in input order.
    public private(set) var entries: [(input: String, outputs: [String])] = []

    /// Plans and checks the outputs of `inputs`.
    /// - Parameters:
    ///   - inputs: the files to separate (`-` for stdin).
    ///   - outDir: the output folder, or `nil` for each input's own folder.
    ///   - format: the output file extension.
    ///   - speakers: the number of talkers the model for an input separates; `nil` leaves the input out of the plan
    ///     (it cannot be read; its own error is reported when it is separated).
    /// - Throws: `AudioIOError.outputOverwritesInput` naming the output, or `DatasetError.outputCollision` naming the
    ///   output and the inputs that would both write it.
    public init(inputs: [SeparationInput], outDir: String?, format: String, speakers: (String) throws -> Int?) throws {
        let protected = Dictionary(inputs.map(\.path).filter { $0 != "-" }.map { (OutputPath.resolved($0), $0) }) { first, _ in first }
        var writers: [String: String] = [:]   // resolved output -> the input that writes it
        for item in inputs {
            let input = item.path
            guard let count = try speakers(input) else { continue }
            let outputs = Self.outputs(of: item, speakers: count, outDir: outDir, format: format)
            for output in outputs {
                let resolved = OutputPath.resolved(output)
                if protected[resolved] != nil { throw AudioIOError.outputOverwritesInput(path: output) }
                if let other = writers[resolved] {
                    throw DatasetError.outputCollision(output: output, inputs: [other, input])
                }
                writers[resolved] = input
            }
            entries.append((input, outputs))
        }
    }

    /// The outputs of one input: `STEM_s1.FORMAT` ... in `outDir` (under the input's mirrored folder, if it has
    /// one), else beside the input (stdin: `stdin_sN` in the current folder).
    public static func outputs(of item: SeparationInput, speakers: Int, outDir: String?, format: String) -> [String] {
        let input = item.path
        let stem = input == "-" ? "stdin" : ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        var folder = outDir ?? (input == "-" ? "." : (input as NSString).deletingLastPathComponent)
        if let outDir, let mirrored = item.mirroredFolder, !mirrored.isEmpty { folder = (outDir as NSString).appendingPathComponent(mirrored) }
        return (1...max(speakers, 1)).map {
            ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent("\(stem)_s\($0).\(format)")
        }
    }

    /// Whether `path` looks like one of our own outputs (`STEM_s1.wav`), so re-running on a folder skips them.
    public static func isOutput(_ path: String) -> Bool {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let range = stem.range(of: "_s", options: .backwards) else { return false }
        return Int(stem[range.upperBound...]) != nil
    }

    /// Whether an output file is complete: a regular file (outputs are renamed into place only when whole), not empty.
    public static func isComplete(_ path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return false }
        return attributes[.type] as? FileAttributeType == .typeRegular && ((attributes[.size] as? NSNumber)?.intValue ?? 0) > 0
    }
}
