import AudioDatasets
import AudioIO
import Foundation
import TensorCore

/// Makes augmented views of a waveform: speed perturbation by resampling (libsoxr), time shift, gain, optionally
/// the channel stage against synthesizer fingerprints (room, equalizer, band limit), background noise at an SNR,
/// and the channel's clipping and mu-law, in that order, all drawn from the generator given (so a step's views follow
/// from its seed).
///
/// ```swift
/// let augmenter = WaveformAugmenter(settings: AugmentationSettings(), sampleRate: 16_000, noises: bank)
/// let view = try augmenter.view(of: source, center: source.count / 2, length: 16_000, using: &rng)   // [16000]
/// ```
public struct WaveformAugmenter: Sendable {
    /// The ranges.
    public let settings: AugmentationSettings
    /// The rate of sources and views (Hz).
    public let sampleRate: Int
    /// Noises to mix in.
    public let noises: NoiseBank
    /// The channel stage (``AugmentationSettings/channel``), without its own speed and noise.
    let channel: SourceAugmenter?

    /// An augmenter.
    /// - Throws: `DatasetError` for impossible channel settings.
    public init(settings: AugmentationSettings, sampleRate: Int, noises: NoiseBank) throws {
        self.settings = settings
        self.sampleRate = sampleRate
        self.noises = noises
        if var channel = settings.channel {
            channel.speedProbability = 0
            channel.noiseProbability = 0
            self.channel = try SourceAugmenter(settings: channel, sampleRate: sampleRate)
        } else {
            channel = nil
        }
    }

    /// Samples of `source` a view centered at `center` may read on each side (for the largest speed and shift).
    public func margin(length: Int) -> Int {
        Int((Double(length) * (settings.speedMax - 1) / 2 + settings.maxShiftSeconds * Double(sampleRate) * settings.speedMax).rounded(.up)) + 1
    }

    /// One view of `length` samples around `center` of `source` (zeros where it reads outside the source).
    /// - Parameters:
    ///   - source: the signal `[n]`.
    ///   - center: the sample the view is centered on before the shift.
    ///   - length: the view length.
    ///   - rng: the generator every random choice is drawn from.
    /// - Returns: `[length]`.
    /// - Throws: `AudioIOError` if resampling fails.
    public func view(of source: [Float], center: Int, length: Int, using rng: inout SplitMix64) throws -> [Float] {
        let s = settings
        let speed = uniform(s.speedMin, s.speedMax, &rng)
        let shift = uniform(-s.maxShiftSeconds, s.maxShiftSeconds, &rng) * Double(sampleRate)
        let gain = Float(pow(10, uniform(s.gainMinDB, s.gainMaxDB, &rng) / 20))
        let addNoise = Double(rng.nextUniform()) < s.noiseProbability
        let snr = uniform(s.snrMinDB, s.snrMaxDB, &rng)
        let inputRate = Int((Double(sampleRate) * speed).rounded())
        let inputLength = Int((Double(length) * Double(inputRate) / Double(sampleRate)).rounded())
        let start = center - inputLength / 2 - Int((shift * speed).rounded())
        var window = [Float](repeating: 0, count: inputLength)
        for i in 0..<inputLength where start + i >= 0 && start + i < source.count { window[i] = source[start + i] }
        var view = window
        if inputRate != sampleRate || window.count != length {
            view = try Resampler.resample(AudioBuffer(sampleRate: inputRate, mono: window), to: sampleRate, frames: length).channels[0]
        }
        if gain != 1 { for i in view.indices { view[i] *= gain } }
        var bandLimit: Double?
        if let channel {
            let changed = try channel.augmentSources([view], length: length, using: &rng)
            view = changed.mixed[0]
            bandLimit = changed.bandLimit
        }
        if addNoise {
            let noise = noises.crop(length: length, using: &rng)
            let level = SignalLevel.rms(view)
            if level > 0 {
                let scaled = SignalLevel.noise(noise, forSNR: snr, against: view)
                for i in view.indices { view[i] += scaled[i] }
            }
        }
        if let channel { _ = try channel.degradeMixture(&view, bandLimit: bandLimit, using: &rng) }
        return view
    }

    private func uniform(_ low: Double, _ high: Double, _ rng: inout SplitMix64) -> Double {
        let u = Double(rng.nextUniform())
        return low == high ? low : low + (high - low) * u
    }
}
