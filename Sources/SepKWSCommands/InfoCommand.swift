import ArgumentParser
import AudioIO
import Foundation

/// `sepkws info FILE...`: what each file holds, and its level.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show format, subtype, rate, channels, length, peak and RMS level of audio files.")

    @Argument(help: "Audio files (any format libsndfile reads).")
    var files: [String]

    @Flag(help: "Print one JSON object per file, one per line.")
    var json = false

    mutating func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one audio file") }
    }

    func run() throws {
        var failed = 0
        for file in files {
            do {
                let report = try AudioFileReport(path: file)
                try Console.line(json ? report.jsonLine : report.text)
            } catch let error as AudioIOError {
                Console.error("error: \(error)")
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// The header facts and the levels of one file, measured block by block.
struct AudioFileReport: Encodable {
    var file: String
    var format: String
    var subtype: String
    var sampleRate: Int
    var channels: Int
    var frames: Int
    var duration: Double
    /// Peak level in dBFS (`nil` for digital silence).
    var peakDBFS: Double?
    /// RMS level over all channels in dBFS (`nil` for digital silence).
    var rmsDBFS: Double?

    enum CodingKeys: String, CodingKey {
        case file, format, subtype, channels, frames, duration
        case sampleRate = "sample_rate", peakDBFS = "peak_dbfs", rmsDBFS = "rms_dbfs"
    }

    init(path: String) throws(AudioIOError) {
        let reader = try AudioFileReader(path: path)
        var peak: Float = 0
        var sumOfSquares = 0.0
        var count = 0
        while let block = try reader.read() {
            for channel in block.channels {
                var blockSum: Float = 0
                for x in channel {
                    peak = max(peak, abs(x))
                    blockSum += x * x
                }
                sumOfSquares += Double(blockSum)
                count += channel.count
            }
        }
        let info = reader.info
        file = path
        format = info.format
        subtype = info.subtype
        sampleRate = info.sampleRate
        channels = info.channelCount
        frames = count / max(info.channelCount, 1)
        duration = Double(frames) / Double(info.sampleRate)
        peakDBFS = peak > 0 ? 20 * log10(Double(peak)) : nil
        rmsDBFS = sumOfSquares > 0 ? 10 * log10(sumOfSquares / Double(count)) : nil
    }

    var text: String {
        func level(_ value: Double?) -> String { value.map { String(format: "%.2f dBFS", $0) } ?? "-inf dBFS (silence)" }
        return """
            \(file)
              format    \(format)
              subtype   \(subtype)
              rate      \(sampleRate) Hz
              channels  \(channels)
              frames    \(frames)
              duration  \(String(format: "%.3f", duration)) s
              peak      \(level(peakDBFS))
              rms       \(level(rmsDBFS))
            """
    }

    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
