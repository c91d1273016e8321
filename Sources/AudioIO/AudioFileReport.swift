import Foundation

/// The header facts and the levels of one file, measured block by block.
public struct AudioFileReport: Encodable, Sendable {
    public var file: String
    public var format: String
    public var subtype: String
    public var sampleRate: Int
    public var channels: Int
    public var frames: Int
    public var duration: Double
    /// Peak level in dBFS (`nil` for digital silence).
    public var peakDBFS: Double?
    /// RMS level over all channels in dBFS (`nil` for digital silence).
    public var rmsDBFS: Double?

    enum CodingKeys: String, CodingKey {
        case file, format, subtype, channels, frames, duration
        case sampleRate = "sample_rate", peakDBFS = "peak_dbfs", rmsDBFS = "rms_dbfs"
    }

    /// Reads the file at `path` whole, block by block.
    /// - Throws: `AudioIOError` for a missing, unreadable or truncated file.
    public init(path: String) throws(AudioIOError) {
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

    /// The report as an aligned block of text.
    public var text: String {
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

    /// The report as one JSON line (sorted keys).
    public var jsonLine: String {
        (try? JSONLine.encode(self)) ?? ""
    }
}
