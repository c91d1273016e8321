import Foundation

/// Every failure of reading, writing or converting audio, with the facts that go into the message.
///
/// The `description` is one line that names the path (or stream) and the cause, ready for stderr.
public enum AudioIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path does not exist.
    case fileNotFound(path: String)
    /// The path is a directory where a file was expected.
    case isDirectory(path: String)
    /// The file exists but holds no bytes.
    case emptyFile(path: String)
    /// libsndfile could not open or decode the file; `reason` is its own message.
    case unreadable(path: String, reason: String)
    /// The header promises more audio data than the file holds (an interrupted copy or download).
    case truncated(path: String, promisedBytes: Int, presentBytes: Int)
    /// The file opened but has no audio frames.
    case noAudio(path: String)
    /// A read failed part-way through a file that opened fine.
    case readFailed(path: String, reason: String)
    /// The output could not be created or written.
    case writeFailed(path: String, reason: String)
    /// The folder an output would go to does not exist.
    case outputDirectoryMissing(path: String)
    /// The output path exists and is something no output may replace or be written into (a block device, a socket).
    case notAFile(path: String, kind: String)
    /// The output path names one of the inputs, which would be overwritten.
    case outputOverwritesInput(path: String)
    /// The output format cannot be chosen from the file name.
    case unknownOutputFormat(path: String)
    /// A sample rate, channel count or similar value is impossible.
    case invalidParameter(name: String, value: String, reason: String)
    /// libsoxr refused a conversion.
    case resamplerFailed(reason: String)
    /// Raw PCM input could not be read.
    case streamFailed(source: String, reason: String)
    /// An output (a folder to replace, a log to append to) cannot be written; `reason` says why.
    case outputFailed(path: String, reason: String)
    /// A sample is NaN or infinite (float data from a broken program); `frame` counts from 0, `seconds` is its time.
    case nonFiniteSample(path: String, frame: Int, channel: Int, seconds: Double)

    public var description: String {
        switch self {
        case .fileNotFound(let path): "\(path): no such file"
        case .isDirectory(let path): "\(path): is a directory, not an audio file"
        case .emptyFile(let path): "\(path): empty file (0 bytes)"
        case .unreadable(let path, let reason): "\(path): not a readable audio file (\(reason))"
        case .truncated(let path, let promised, let present):
            "\(path): truncated file (header promises \(promised) bytes of audio, the file holds \(present))"
        case .noAudio(let path): "\(path): the file holds no audio frames"
        case .readFailed(let path, let reason): "\(path): read failed (\(reason))"
        case .writeFailed(let path, let reason): "\(path): cannot write (\(reason))"
        case .outputFailed(let path, let reason): "\(path): \(reason)"
        case .outputDirectoryMissing(let path): "\(path): output folder does not exist"
        case .notAFile(let path, let kind):
            "\(path): is \(kind); outputs go only to regular files (or are written into a FIFO or a character device)"
        case .outputOverwritesInput(let path): "\(path): output would overwrite an input file"
        case .unknownOutputFormat(let path):
            "\(path): unknown output format (use a .wav, .flac, .ogg or .aiff name)"
        case .invalidParameter(let name, let value, let reason): "invalid \(name) \(value): \(reason)"
        case .resamplerFailed(let reason): "resampler failed: \(reason)"
        case .streamFailed(let source, let reason): "\(source): \(reason)"
        case .nonFiniteSample(let path, let frame, let channel, let seconds):
            "\(path): sample \(frame)\(channel > 0 ? " (channel \(channel + 1))" : "") at \(String(format: "%.6f", seconds)) s is not a finite number (NaN or infinity); the audio is invalid"
        }
    }
}
