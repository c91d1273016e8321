import ArgumentParser
import AudioIO
import Foundation

/// `sepkws resample IN OUT --rate R`: high-quality rate conversion (libsoxr), streamed block by block.
struct Resample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert an audio file to another sample rate (libsoxr, high quality), keeping its channels.")

    @Argument(help: "Input audio file (any format libsndfile reads).")
    var input: String

    @Argument(help: "Output file; the format follows the extension (.wav, .flac, .ogg, .aiff) unless --format is given.")
    var output: String

    @Option(help: "Output sample rate (Hz).")
    var rate: Int

    @Option(help: "Output encoding: wav16, wav-float, flac, ogg or aiff.")
    var format: AudioFileFormat?

    mutating func validate() throws {
        guard (1_000...384_000).contains(rate) else { throw ValidationError("--rate \(rate): must be between 1000 and 384000 Hz") }
    }

    func run() throws {
        let reader = try AudioFileReader(path: input)
        let channels = reader.info.channelCount
        let resampler = try Resampler(inputRate: reader.info.sampleRate, outputRate: rate, channelCount: channels)
        let writer = try AudioFileWriter(path: output, format: format, sampleRate: rate, channelCount: channels, inputs: [input])
        do {
            var frames = 0
            while let block = try reader.read() {
                frames += block.frameCount
                try writer.write(AudioBuffer(sampleRate: rate, channels: try resampler.process(block.channels)))
            }
            if frames == 0 { throw AudioIOError.noAudio(path: input) }
            try writer.write(AudioBuffer(sampleRate: rate, channels: try resampler.flush()))
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        try Console.line("\(output): \(writer.framesWritten) frames at \(rate) Hz, \(channels) channel(s)")
    }
}

extension AudioFileFormat: ExpressibleByArgument {}
extension PCMSampleFormat: ExpressibleByArgument {}
