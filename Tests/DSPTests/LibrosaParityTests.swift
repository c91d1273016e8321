import AudioIO
import DSP
import Testing
import TestSupport

/// The front end against librosa/scipy on real (espeak-ng) speech; fixtures made by Fixtures/dsp/make_fixtures.py.
@Suite struct LibrosaParityTests {
    let speech: [Float]

    init() throws {
        speech = try AudioFileReader.read(path: Fixtures.path("dsp/speech.wav")).mixedToMono()
    }

    @Test func stftMatchesLibrosa() throws {
        let expected = try NumpyArray(path: Fixtures.path("dsp/stft_complex.npy"))
        let (values, frames) = try STFT().forward(speech)
        #expect(frames == expected.shape[0])
        expectClose(values, expected.values, relativeToMax: 1e-4, "stft")
    }

    @Test func istftMatchesLibrosa() throws {
        let expected = try NumpyArray(path: Fixtures.path("dsp/istft.npy"))
        let stft = try STFT()
        let (values, frames) = try stft.forward(speech)
        let inverse = stft.inverse(values, frames: frames, length: speech.count)
        expectClose(inverse, expected.values, relativeToMax: 1e-4, "istft")
        expectClose(inverse, speech, relativeToMax: 1e-4, "perfect reconstruction")
    }

    @Test(arguments: [(FeatureKind.logmel, "logmel"), (.mfcc, "mfcc")])
    func featuresMatchLibrosa(kind: FeatureKind, fixture: String) throws {
        let expected = try NumpyArray(path: Fixtures.path("dsp/\(fixture).npy"))
        let (values, frames) = try FeatureExtractor(kind: kind).extract(speech)
        #expect([frames, 40] == expected.shape)
        expectClose(values, expected.values, relativeToMax: 1e-4, fixture)
    }

    @Test func slaneyFilterbankMatchesLibrosa() throws {
        let expected = try NumpyArray(path: Fixtures.path("dsp/mel_slaney.npy"))
        let bank = try MelFilterbank(sampleRate: 16_000, nFFT: 512, melCount: 40)
        expectClose(bank.weights.flatMap { $0 }, expected.values, relativeToMax: 1e-5, "slaney")
    }

    @Test func htkFilterbankMatchesLibrosa() throws {
        let expected = try NumpyArray(path: Fixtures.path("dsp/mel_htk.npy"))
        let bank = try MelFilterbank(
            sampleRate: 8000, nFFT: 256, melCount: 23, fMin: 20, fMax: 3800, scale: .htk, normalization: .none)
        expectClose(bank.weights.flatMap { $0 }, expected.values, relativeToMax: 1e-5, "htk")
    }

    @Test func hammingUncenteredMagnitudeMatchesLibrosa() throws {
        let expected = try NumpyArray(path: Fixtures.path("dsp/stft_hamming_valid.npy"))
        let configuration = STFTConfiguration(nFFT: 400, windowLength: 400, hopLength: 100, window: .hamming, center: false)
        let features = FeatureConfiguration(stft: configuration)
        let (values, frames) = try FeatureExtractor(kind: .stft, configuration: features).extract(speech)
        #expect([frames, 201] == expected.shape)
        expectClose(values, expected.values, relativeToMax: 1e-4, "hamming magnitude")
    }
}
