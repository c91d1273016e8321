import AudioIO
import Foundation
import Testing

@Suite struct ResamplerTests {
    static func tone(frames: Int, rate: Int, frequency: Double) -> [Float] {
        (0..<frames).map { Float(0.5 * sin(2 * Double.pi * frequency * Double($0) / Double(rate))) }
    }

    @Test(arguments: [(44_100, 16_000), (16_000, 8_000), (8_000, 16_000), (48_000, 44_100), (22_050, 16_000)])
    func oneShotKeepsLengthAndTone(from: Int, to: Int) throws {
        let seconds = 0.5
        let input = AudioBuffer(sampleRate: from, mono: Self.tone(frames: Int(seconds * Double(from)), rate: from, frequency: 1000))
        let output = try Resampler.resample(input, to: to)
        #expect(output.sampleRate == to)
        #expect(output.frameCount == Int(seconds * Double(to)))
        // Away from the edges the result is the same tone sampled at the new rate (HQ: better than -80 dB).
        let expected = Self.tone(frames: output.frameCount, rate: to, frequency: 1000)
        let middle = (to / 20)..<(output.frameCount - to / 20)
        let error = middle.map { abs(output.channels[0][$0] - expected[$0]) }.max() ?? 1
        #expect(error < 1e-3)
    }

    @Test(arguments: [1, 13, 1000, 4096])
    func streamingBlocksEqualOneShot(blockSize: Int) throws {
        let input = Self.tone(frames: 9_001, rate: 44_100, frequency: 523)
        let oneShot = try Resampler.resample(AudioBuffer(sampleRate: 44_100, mono: input), to: 16_000).channels[0]
        let resampler = try Resampler(inputRate: 44_100, outputRate: 16_000)
        var streamed = [Float]()
        var start = 0
        while start < input.count {
            let end = min(start + blockSize, input.count)
            streamed += try resampler.process([Array(input[start..<end])])[0]
            start = end
        }
        streamed += try resampler.flush()[0]
        #expect(streamed.count == oneShot.count)
        let error = zip(streamed, oneShot).map { abs($0 - $1) }.max() ?? 1
        #expect(error < 1e-6)
    }

    @Test func channelsAreResampledIndependently() throws {
        let a = Self.tone(frames: 4_800, rate: 48_000, frequency: 440)
        let b = [Float](repeating: 0, count: 4_800)
        let out = try Resampler.resample(AudioBuffer(sampleRate: 48_000, channels: [a, b]), to: 16_000)
        #expect(out.channelCount == 2 && out.frameCount == 1_600)
        #expect(out.channels[1].allSatisfy { abs($0) < 1e-6 })
        #expect(out.channels[0].map(abs).max()! > 0.45)
    }

    @Test func impossibleRatesAreErrors() {
        #expect(throws: AudioIOError.invalidParameter(name: "output rate", value: "0 Hz", reason: "must be between 1 and 1000000 Hz")) {
            try Resampler(inputRate: 16_000, outputRate: 0)
        }
    }
}
