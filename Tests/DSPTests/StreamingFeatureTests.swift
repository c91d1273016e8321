import DSP
import Foundation
import Testing

@Suite struct StreamingFeatureTests {
    /// A deterministic test signal: two tones and a chirp, `[count]`.
    static func signal(_ count: Int) -> [Float] {
        (0..<count).map { i in
            let t = Float(i) / 16_000
            return 0.3 * sin(2 * .pi * 440 * t) + 0.2 * sin(2 * .pi * (200 + 3000 * t) * t)
        }
    }

    @Test(arguments: [1, 7, 160, 511, 4096])
    func blocksOfAnySizeGiveTheOfflineRows(blockSize: Int) throws {
        let x = Self.signal(8_123)
        let extractor = try FeatureExtractor(kind: .logmel)
        let offline = extractor.extract(x)
        var streamed = [Float]()
        var start = 0
        while start < x.count {
            let end = min(start + blockSize, x.count)
            extractor.push(Array(x[start..<end])) { streamed.append(contentsOf: $0) }
            start = end
        }
        extractor.finish { streamed.append(contentsOf: $0) }
        #expect(extractor.framesEmitted == offline.frames)
        #expect(streamed == offline.values)
    }

    @Test(arguments: [FeatureKind.stft, .logmel, .mfcc])
    func threadsDoNotChangeTheRows(kind: FeatureKind) throws {
        // 12 s: several batches, each split over the workers.
        let x = Self.signal(192_007)
        let single = try FeatureExtractor(kind: kind).extract(x)
        let parallel = try FeatureExtractor(kind: kind, threads: 3).extract(x)
        #expect(parallel.frames == single.frames)
        #expect(parallel.values == single.values)
    }

    @Test func frameCountsFollowLibrosa() {
        let centered = STFTConfiguration()
        #expect(centered.frameCount(samples: 16_000) == 101)
        #expect(centered.frameCount(samples: 0) == 1)
        let valid = STFTConfiguration(center: false)
        #expect(valid.frameCount(samples: 16_000) == 97)
        #expect(STFTConfiguration(nFFT: 480, center: false).frameCount(samples: 16_000) == 98)
        #expect(valid.frameCount(samples: 511) == 0)
    }

    @Test(arguments: WindowKind.allCases)
    func inverseReconstructsWithEveryWindow(window: WindowKind) throws {
        // Hop 128 keeps the squared-window overlap-add away from zero for every window shape.
        let stft = try STFT(STFTConfiguration(nFFT: 512, windowLength: 400, hopLength: 128, window: window))
        let x = Self.signal(5_001)
        let (values, frames) = try stft.forward(x)
        let y = stft.inverse(values, frames: frames, length: x.count)
        let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-5)
    }

    @Test func uncenteredShortSignalIsAnError() throws {
        let stft = try STFT(STFTConfiguration(center: false))
        #expect(throws: DSPError.signalTooShort(samples: 100, needed: 512)) { try stft.forward([Float](repeating: 0, count: 100)) }
    }

    @Test func impossibleSettingsAreRejected() {
        #expect(throws: DSPError.invalidParameter(name: "window length", value: "600", reason: "must be between 1 and n_fft (512)")) {
            try STFTConfiguration(windowLength: 600).validate()
        }
        #expect(throws: DSPError.invalidParameter(name: "hop length", value: "0", reason: "must be at least 1 sample")) {
            try STFTConfiguration(hopLength: 0).validate()
        }
        #expect(throws: DSPError.invalidParameter(name: "n_mfcc", value: "41", reason: "must be between 1 and n_mels (40)")) {
            try FeatureConfiguration(mfccCount: 41).validate()
        }
        #expect(throws: DSPError.self) { try FeatureConfiguration(fMax: 9000).validate() }
    }

    @Test func dctIsOrthonormal() {
        let dct = DCT(inputCount: 8, outputCount: 8)
        // The DCT of a unit impulse has unit norm, and the DC coefficient of a constant is sqrt(N) times it.
        var impulse = [Float](repeating: 0, count: 8)
        impulse[3] = 1
        var out = [Float](repeating: 0, count: 8)
        impulse.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { dct.apply(i, into: $0) } }
        #expect(abs(out.map { $0 * $0 }.reduce(0, +) - 1) < 1e-6)
        let constant = [Float](repeating: 2, count: 8)
        constant.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { dct.apply(i, into: $0) } }
        #expect(abs(out[0] - 2 * Float(8).squareRoot()) < 1e-5)
        #expect(out[1...].allSatisfy { abs($0) < 1e-5 })
    }
}
