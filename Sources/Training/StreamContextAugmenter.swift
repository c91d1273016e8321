import AudioDatasets
import AudioIO
import Foundation
import TensorCore

/// Puts keyword clips in the context a live stream gives them (``StreamContextSettings``), drawing running speech
/// from a pool of unlabelled recordings. All choices come from the generator passed in.
///
/// ```swift
/// let context = StreamContextAugmenter(settings: StreamContextSettings(), pool: pool)
/// let source = context.surround(clip, using: &rng)                  // [3 · clip.count], the word in the middle third
/// var view = try augmenter.view(of: source, center: source.count / 2, length: 16_000, using: &rng)
/// let unknown = context.runningSpeech(length: 16_000, levelOf: unknownClip, using: &rng)   // as loud as the clip
/// context.addCompetingTalker(to: &view, using: &rng)
/// ```
public struct StreamContextAugmenter {
    /// The ranges.
    public let settings: StreamContextSettings
    /// Running speech (its rate is the clips').
    public let pool: UnlabeledAudioPool

    public init(settings: StreamContextSettings, pool: UnlabeledAudioPool) {
        self.settings = settings
        self.pool = pool
    }

    /// The samples where `clip` is active: from the first to the last 10 ms frame within 20 dB of the loudest
    /// frame, or nil for a silent clip.
    /// - Parameter clip: `[n]`.
    public func activeRegion(of clip: [Float]) -> Range<Int>? {
        let frame = max(1, pool.sampleRate / 100)
        let energies = stride(from: 0, to: clip.count, by: frame).map { start in
            clip[start..<min(clip.count, start + frame)].reduce(Float(0)) { $0 + $1 * $1 }
        }
        guard let loudest = energies.max(), loudest > 0 else { return nil }
        guard let first = energies.firstIndex(where: { $0 >= loudest / 100 }), let last = energies.lastIndex(where: { $0 >= loudest / 100 }) else { return nil }
        return (first * frame)..<min(clip.count, (last + 1) * frame)
    }

    /// `clip` (`[n]`) in the middle of a source of `3n` samples, with running speech before the word and after it
    /// (with probability ``StreamContextSettings/surroundProbability``; otherwise silence), kept clear of the word by
    /// a gap. A clip whose word fills it (loud noise) is returned padded with silence only.
    /// - Returns: `[3n]`.
    public func surround(_ clip: [Float], using rng: inout SplitMix64) -> [Float] {
        let n = clip.count
        var source = [Float](repeating: 0, count: 3 * n)
        for i in 0..<n { source[n + i] = clip[i] }
        guard Double(rng.nextUniform()) < settings.surroundProbability, let word = activeRegion(of: clip) else { return source }
        let wordLevel = SignalLevel.rms(Array(clip[word]))
        guard wordLevel > 0 else { return source }
        for side in 0..<2 {
            let gap = Int(uniform(settings.gapMinSeconds, settings.gapMaxSeconds, &rng) * Double(pool.sampleRate))
            let level = 20 * log10(wordLevel) + uniform(settings.levelMinDB, settings.levelMaxDB, &rng)
            let speech = SignalLevel.scaled(pool.crop(length: n, margin: 0, using: &rng), toRMS: level)
            if side == 0 {
                let end = n + word.lowerBound - gap   // speech ends `gap` before the word
                for i in 0..<n where end - n + i >= 0 && end - n + i < end { source[end - n + i] += speech[i] }
            } else {
                let start = n + word.upperBound + gap
                for i in 0..<n where start + i < source.count { source[start + i] += speech[i] }
            }
        }
        return source
    }

    /// A window of running speech for an `_unknown_` example, `[length]`, at the RMS of `reference`'s active region
    /// (the labelled clip it stands in for), so that running speech is as loud as the clips whatever the pool's level
    /// (whole sentences are rendered about 10 dB louder than a corpus's clips; left as they are, loudness alone would
    /// tell `_unknown_` apart). A silent reference leaves the crop as it is.
    /// - Parameter reference: `[n]`.
    public func runningSpeech(length: Int, levelOf reference: [Float], using rng: inout SplitMix64) -> [Float] {
        let crop = pool.crop(length: length, margin: 0, using: &rng)
        guard let word = activeRegion(of: reference), SignalLevel.rms(crop) > 0 else { return crop }
        let level = SignalLevel.rms(Array(reference[word]))
        return level > 0 ? SignalLevel.scaled(crop, toRMS: 20 * log10(level)) : crop
    }

    /// Where a keyword example's view goes (the `center` of ``WaveformAugmenter/view(of:center:length:using:)``, which
    /// moves it by up to `view`'s shift and stretches it by its speed), given the word's samples in its source. With a
    /// keyword tail (``StreamContextSettings/keywordTailSeconds``): far enough right that the view ends at least the
    /// tail after the word, whatever the shift and speed; an early view (`early`, ``StreamContextSettings/earlyShare``)
    /// instead aims to end between the word's middle and half the tail after it, and never ends later (the shift
    /// may end it before the word). Nil when the word and its tail do not fit a view (a clip whose noise hides where
    /// the word ends): the caller then keeps its centre and its label.
    /// - Parameters:
    ///   - center: the centre without a tail.
    ///   - word: the word's samples in the source.
    ///   - length: the view's length (samples).
    ///   - view: the view's speed and shift ranges.
    public func keywordCenter(
        _ center: Int, word: Range<Int>, length: Int, view: AugmentationSettings, early: Bool, using rng: inout SplitMix64
    ) -> Int? {
        guard settings.keywordTailSeconds > 0 else { return center }
        let rate = Double(pool.sampleRate)
        // In source samples: the view's half length at the slowest and fastest speed, its largest shift, the tail.
        let (halfMin, halfMax) = (Int(Double(length) * view.speedMin / 2), Int((Double(length) * view.speedMax / 2).rounded(.up)))
        let shift = Int((view.maxShiftSeconds * view.speedMax * rate).rounded(.up))
        let tail = Int((settings.keywordTailSeconds * view.speedMax * rate).rounded(.up))
        guard word.count + tail + 2 * shift <= 2 * halfMin else { return nil }
        guard early else { return max(center, word.upperBound + tail + shift - halfMin) }
        let halfTail = Int(settings.keywordTailSeconds * view.speedMin * rate / 2)
        let low = word.lowerBound + word.count / 2 + shift - halfMin
        let high = word.upperBound + halfTail - shift - halfMax
        return high <= low ? high : low + Int(Double(high - low) * Double(rng.nextUniform()))
    }

    /// With probability ``StreamContextSettings/competingProbability``, adds running speech over the whole view at a
    /// signal-to-interference ratio drawn from the settings (a silent view is left alone).
    /// - Parameter view: `[length]`.
    public func addCompetingTalker(to view: inout [Float], using rng: inout SplitMix64) {
        guard Double(rng.nextUniform()) < settings.competingProbability else { return }
        let ratio = uniform(settings.competingMinDB, settings.competingMaxDB, &rng)
        let level = SignalLevel.rms(view)
        guard level > 0 else { return }
        let talker = SignalLevel.scaled(pool.crop(length: view.count, margin: 0, using: &rng), toRMS: 20 * log10(level) - ratio)
        for i in view.indices { view[i] += talker[i] }
    }

    /// With probability ``StreamContextSettings/narrowbandProbability``, limits the view to 4 kHz by resampling it to
    /// 8 kHz and back (libsoxr), as telephone audio and an 8 kHz separator's output are.
    /// - Parameter view: `[length]` at the pool's rate (left alone at 8 kHz or below).
    /// - Throws: `AudioIOError` if resampling fails.
    public func limitBand(_ view: inout [Float], using rng: inout SplitMix64) throws {
        guard Double(rng.nextUniform()) < settings.narrowbandProbability, pool.sampleRate > 8_000 else { return }
        let narrow = try Resampler.resample(AudioBuffer(sampleRate: pool.sampleRate, mono: view), to: 8_000)
        let back = try Resampler.resample(narrow, to: pool.sampleRate).channels[0]
        for i in view.indices { view[i] = i < back.count ? back[i] : 0 }
    }

    private func uniform(_ low: Double, _ high: Double, _ rng: inout SplitMix64) -> Double {
        low == high ? low : low + (high - low) * Double(rng.nextUniform())
    }
}
