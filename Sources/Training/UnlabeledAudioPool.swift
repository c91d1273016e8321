import AudioDatasets
import AudioIO
import Foundation
import TensorCore

/// Every audio file under some folders (any format and rate libsndfile reads, resampled to one rate, mixed to
/// mono), held in memory, and a source of random crops that skips silence. No labels anywhere.
public final class UnlabeledAudioPool {
    /// The files that were loaded.
    public let files: [String]
    /// Files skipped (unreadable or shorter than a crop), with the reason.
    public let skipped: [(path: String, reason: String)]
    /// The rate of the signals (Hz).
    public let sampleRate: Int
    /// Crops whose RMS is below this (dBFS) are silence and are skipped.
    public let silenceThresholdDB: Double
    private let signals: [[Float]]
    private let cumulative: [Int]

    /// Loads every audio file under `folders`.
    /// - Parameters:
    ///   - folders: folders (searched recursively) or single files.
    ///   - sampleRate: the rate everything is resampled to.
    ///   - minimumLength: files shorter than this (in samples at `sampleRate`) are skipped.
    ///   - silenceThresholdDB: the crop RMS (dBFS) below which a crop counts as silence.
    /// - Throws: `DatasetError` for a missing folder, ``TrainingError/noUsableAudio(path:reason:)`` when nothing is usable.
    public init(folders: [String], sampleRate: Int, minimumLength: Int, silenceThresholdDB: Double = -50) throws {
        var files: [String] = [], signals: [[Float]] = [], skipped: [(String, String)] = []
        for folder in folders {
            for file in try AudioFolder.files(in: folder) {
                do {
                    let samples = try MonoReader(path: file, sampleRate: sampleRate).readAll()
                    guard samples.count >= minimumLength else {
                        skipped.append((file, "shorter than \(minimumLength) samples"))
                        continue
                    }
                    files.append(file)
                    signals.append(samples)
                } catch {
                    skipped.append((file, "\(error)"))
                }
            }
        }
        guard !signals.isEmpty else {
            throw TrainingError.noUsableAudio(path: folders.joined(separator: ", "), reason: "no readable file of at least \(minimumLength) samples")
        }
        self.files = files
        self.skipped = skipped
        self.signals = signals
        self.sampleRate = sampleRate
        self.silenceThresholdDB = silenceThresholdDB
        var total = 0
        cumulative = signals.map { total += $0.count; return total }
    }

    /// Total loaded audio in seconds.
    public var totalSeconds: Double { Double(cumulative.last ?? 0) / Double(sampleRate) }

    /// Number of files loaded.
    public var count: Int { signals.count }

    /// The samples of file `index` (as loaded: mono, at ``sampleRate``).
    public func signal(_ index: Int) -> [Float] { signals[index] }

    /// A random excerpt `[length + 2·margin]` whose middle `length` samples are not silence (positions are drawn
    /// uniformly over all audio; up to `attempts` tries, then the loudest try is used), zero-padded at file ends.
    public func crop(length: Int, margin: Int, attempts: Int = 20, using rng: inout SplitMix64) -> [Float] {
        indexedCrop(length: length, margin: margin, attempts: attempts, using: &rng).samples
    }

    /// ``crop(length:margin:attempts:using:)`` and the index of the file it comes from (the same draws).
    public func indexedCrop(length: Int, margin: Int, attempts: Int = 20, using rng: inout SplitMix64) -> (file: Int, samples: [Float]) {
        loudestTry(length: length, margin: margin, attempts: attempts, using: &rng) { rng in
            let position = Int(rng.next() % UInt64(cumulative.last!))
            return cumulative.firstIndex { $0 > position }!
        }
    }

    /// A random excerpt `[length + 2·margin]` of file `index` alone, whose middle is not silence (up to `attempts`
    /// tries, then the loudest), zero-padded at the file's ends.
    public func crop(file index: Int, length: Int, margin: Int, attempts: Int = 20, using rng: inout SplitMix64) -> [Float] {
        loudestTry(length: length, margin: margin, attempts: attempts, using: &rng) { _ in index }.samples
    }

    /// Up to `attempts` excerpts at random offsets of the files `pick` draws: the first that is not silence, else the loudest.
    private func loudestTry(length: Int, margin: Int, attempts: Int, using rng: inout SplitMix64,
                            pick: (inout SplitMix64) -> Int) -> (file: Int, samples: [Float]) {
        var best: (file: Int, samples: [Float]) = (0, []), bestLevel = -Double.infinity
        for _ in 0..<max(1, attempts) {
            let file = pick(&rng), signal = signals[file]
            let start = Int(rng.next() % UInt64(max(1, signal.count - length + 1))) - margin
            var excerpt = [Float](repeating: 0, count: length + 2 * margin)
            for i in excerpt.indices where start + i >= 0 && start + i < signal.count { excerpt[i] = signal[start + i] }
            let level = SignalLevel.rms(Array(excerpt[margin..<(margin + length)]))
            let decibels = level > 0 ? 20 * log10(level) : -Double.infinity
            if decibels >= silenceThresholdDB { return (file, excerpt) }
            if decibels > bestLevel { best = (file, excerpt); bestLevel = decibels }
        }
        return best
    }

    /// A random excerpt of `length` samples (silence allowed), for babble.
    public func anyCrop(length: Int, using rng: inout SplitMix64) -> [Float] {
        crop(length: length, margin: 0, attempts: 1, using: &rng)
    }
}
