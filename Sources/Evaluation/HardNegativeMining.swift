import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import Streaming

/// Hard negatives mined from a labelled stream: the windows where a keyword model's watched-keyword score peaks away
/// from every labelled keyword, the model's would-be false accepts. Added to a training set as `_unknown_`, they teach
/// the model the confusions it actually makes (a confuser in context, a word that begins like a keyword), which
/// synthesized negatives only guess at.
///
/// Rule: each hop's score is the highest, over the watched keywords and the talkers, of the keyword's probability
/// averaged over the last ``smoothingHops`` hops (as ``KeywordTrigger`` smooths). Hops within ``marginBeforeSeconds``
/// before a label's start to ``marginAfterSeconds`` after its end (any keyword) are not candidates. Peaks are taken by
/// descending score, each at least ``separationSeconds`` from every peak taken before, while the score is at least
/// ``threshold``, up to ``maximumPeaks``; each gives the window ending at its hop and the windows ending
/// ``neighbourHops`` hops either side (the same confusion seen at nearby alignments).
///
/// ```swift
/// let recorded = try StreamingDetectionEvaluator.record(audio: "mine/stream.wav", detector: detector)
/// let windows = HardNegativeMining().windows(in: recorded, keywords: settings.keywords, labels: labels)
/// try HardNegativeMining.save(windows, audio: "mine/stream.wav", clipSamples: 16_000, sampleRate: 16_000, to: "RUN/hard")
/// ```
public struct HardNegativeMining: Sendable, Equatable {
    /// Lowest smoothed score of a peak.
    public var threshold: Float
    /// Most peaks taken.
    public var maximumPeaks: Int
    /// Least time between two peaks (s).
    public var separationSeconds: Double
    /// Time before a label's start and after its end that is the label's, not a candidate (s).
    public var marginBeforeSeconds: Double, marginAfterSeconds: Double
    /// Windows taken either side of a peak's hop.
    public var neighbourHops: Int
    /// Hops of the moving average (as the detector's rules).
    public var smoothingHops: Int

    /// A window to keep: the stream sample just past its end, and the peak it belongs to.
    public struct Window: Sendable, Equatable {
        /// The stream sample just past the window's end (the window covers `[endSample - clip, endSample)`).
        public var endSample: Int
        /// The peak's smoothed score.
        public var score: Float
        /// The keyword that peaked.
        public var keyword: String
        /// Seconds from the stream's start to the peak's window end.
        public var peakSeconds: Double

        public init(endSample: Int, score: Float, keyword: String, peakSeconds: Double) {
            self.endSample = endSample
            self.score = score
            self.keyword = keyword
            self.peakSeconds = peakSeconds
        }
    }

    /// The defaults: peaks of 0.5 or more, at most 600, 0.5 s apart, 0.5 s before to 1.5 s after each label excluded,
    /// one hop either side, smoothing over 3 hops (`detect`'s 240 ms at its 80 ms hop).
    public init(threshold: Float = 0.5, maximumPeaks: Int = 600, separationSeconds: Double = 0.5, marginBeforeSeconds: Double = 0.5,
                marginAfterSeconds: Double = 1.5, neighbourHops: Int = 1, smoothingHops: Int = 3) {
        precondition(maximumPeaks >= 0 && neighbourHops >= 0 && smoothingHops >= 1 && separationSeconds >= 0)
        self.threshold = threshold
        self.maximumPeaks = maximumPeaks
        self.separationSeconds = separationSeconds
        self.marginBeforeSeconds = marginBeforeSeconds
        self.marginAfterSeconds = marginAfterSeconds
        self.neighbourHops = neighbourHops
        self.smoothingHops = smoothingHops
    }

    /// The windows to keep, peak by peak in descending score (each peak's own window first, then its neighbours in
    /// time order).
    /// - Parameters:
    ///   - recorded: the stream's hop scores.
    ///   - keywords: watched class indices, `[K]`.
    ///   - labels: every keyword said in the stream.
    public func windows(in recorded: RecordedKeywordStream, keywords: [Int], labels: [KeywordInterval]) -> [Window] {
        let hops = recorded.hops
        guard !hops.isEmpty, !keywords.isEmpty else { return [] }
        let rate = Double(recorded.sampleRate)
        let time = hops.map { Double($0[0].endSample) / rate }
        // Smoothed score of each hop: max over talkers and keywords of the trailing mean.
        var best = [Float](repeating: 0, count: hops.count)
        var bestKeyword = [Int](repeating: keywords[0], count: hops.count)
        for talker in 0..<recorded.talkers {
            for k in keywords {
                for h in hops.indices {
                    // Summed afresh each hop (as the trigger does), so equal inputs give equal scores.
                    var sum: Float = 0
                    for i in max(0, h - smoothingHops + 1)...h { sum += hops[i][talker].probabilities[k] }
                    let mean = sum / Float(min(h + 1, smoothingHops))
                    if mean > best[h] { best[h] = mean; bestKeyword[h] = k }
                }
            }
        }
        // Hop times increase, so each label's span (with its margins) is one run of hops.
        var candidate = [Bool](repeating: true, count: hops.count)
        for label in labels {
            let first = time.firstIndex { $0 >= label.startSeconds - marginBeforeSeconds } ?? time.count
            let end = time.firstIndex { $0 > label.endSeconds + marginAfterSeconds } ?? time.count
            for h in first..<max(first, end) { candidate[h] = false }
        }
        let order = hops.indices.filter { candidate[$0] && best[$0] >= threshold }.sorted { best[$0] > best[$1] || (best[$0] == best[$1] && $0 < $1) }
        var peaks: [Int] = []
        for h in order where peaks.count < maximumPeaks {
            if peaks.allSatisfy({ abs(time[$0] - time[h]) >= separationSeconds }) { peaks.append(h) }
        }
        return peaks.flatMap { p -> [Window] in
            let neighbours = (max(0, p - neighbourHops)...min(hops.count - 1, p + neighbourHops)).filter { $0 != p }
            return ([p] + neighbours).map {
                Window(endSample: hops[$0][0].endSample, score: best[p], keyword: recorded.labels[bestKeyword[p]], peakSeconds: time[p])
            }
        }
    }

    /// Cuts `windows` out of the stream at `audio` (read once, front to back) and writes each as a 16-bit WAV file
    /// `hard_nohash_<n>.wav` in `directory` (created if missing; each file written atomically). A window that
    /// starts before the stream is padded with leading silence, one that ends past it (the detector's last, padded
    /// window) with trailing silence.
    /// - Parameters:
    ///   - clipSamples: the model's window length (samples at `sampleRate`).
    ///   - sampleRate: the model's rate; the stream is resampled to it if needed.
    /// - Returns: the paths written, in the order of `windows`.
    /// - Throws: `AudioIOError` for an unreadable stream or an unwritable file; a file-system error when the folder
    ///   cannot be made.
    public static func write(_ windows: [Window], audio: String, clipSamples: Int, sampleRate: Int, to directory: String) throws -> [String] {
        precondition(clipSamples > 0)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let paths = windows.indices.map { (directory as NSString).appendingPathComponent("hard_nohash_\($0).wav") }
        let pending = windows.indices.sorted { windows[$0].endSample < windows[$1].endSample }
        let reader = try MonoReader(path: audio, sampleRate: sampleRate)
        var buffer: [Float] = []      // the stream's samples from `bufferStart` on
        var bufferStart = 0
        var next = 0
        while next < pending.count {
            let end = windows[pending[next]].endSample
            if bufferStart + buffer.count < end {
                if let block = try reader.read() {
                    buffer += block
                } else {
                    buffer += [Float](repeating: 0, count: end - bufferStart - buffer.count)
                }
                continue
            }
            let start = end - clipSamples
            var clip = [Float](repeating: 0, count: max(0, bufferStart - start))
            clip += buffer[max(0, start - bufferStart)..<(end - bufferStart)]
            try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: clip), to: paths[pending[next]], format: .wav16, inputs: [audio])
            next += 1
            // Keep only what a later window may still need.
            if next < pending.count {
                let keepFrom = windows[pending[next]].endSample - clipSamples
                if keepFrom > bufferStart {
                    let drop = min(buffer.count, keepFrom - bufferStart)
                    buffer.removeFirst(drop)
                    bufferStart += drop
                }
            }
        }
        return paths
    }

    /// Name of the table ``save(_:audio:clipSamples:sampleRate:to:)`` writes last: a folder holding it is complete.
    public static let tableName = "mined.csv"

    /// Writes the windows (``write(_:audio:clipSamples:sampleRate:to:)``), then `mined.csv` (`file,peak_s,keyword,score`,
    /// one row per window, written atomically): a folder with `mined.csv` holds every window.
    /// - Returns: the paths of the windows, in the order of `windows`.
    /// - Throws: as ``write(_:audio:clipSamples:sampleRate:to:)``; `AudioIOError` when the table cannot be written.
    @discardableResult
    public static func save(_ windows: [Window], audio: String, clipSamples: Int, sampleRate: Int, to directory: String) throws -> [String] {
        let paths = try write(windows, audio: audio, clipSamples: clipSamples, sampleRate: sampleRate, to: directory)
        var table = CSVTable(header: ["file", "peak_s", "keyword", "score"])
        for (path, window) in zip(paths, windows) {
            table.rows.append([(path as NSString).lastPathComponent, String(format: "%.3f", window.peakSeconds), window.keyword,
                               String(format: "%.4f", window.score)])
        }
        try table.write(to: (directory as NSString).appendingPathComponent(tableName))
        return paths
    }

    /// One line on what `windows` holds: how many windows around how many peaks, the score range, the folder.
    public static func summary(_ windows: [Window], threshold: Float, directory: String) -> String {
        guard let low = windows.map(\.score).min(), let high = windows.map(\.score).max() else {
            return String(format: "no false-accept peak at or above %.2f: nothing mined", threshold)
        }
        return String(format: "mined %d windows around %d false-accept peaks (scores %.3f to %.3f) into %@", windows.count,
                      Set(windows.map(\.peakSeconds)).count, low, high, directory)
    }

    /// Scores the labelled stream at `audio` with the model at `model` under the detector's rules, and saves the
    /// windows mined from it into `directory` (``save(_:audio:clipSamples:sampleRate:to:)``; `mined.csv` last).
    /// The rules' smoothing replaces ``smoothingHops``.
    /// - Parameters:
    ///   - labels: the stream's labels CSV (`keyword,start_s,end_s[,...]`): every keyword said in it.
    ///   - rules: the detector's rules (the watched keywords among them) and hop (samples) for the loaded spotter.
    ///   - scoringProgress: (seconds scored, total seconds).
    /// - Returns: the windows saved.
    /// - Throws: model, audio and dataset errors naming the file.
    @discardableResult
    public func mine(
        model: String, audio: String, labels: String, to directory: String,
        rules: (KeywordSpotter) throws -> (settings: DetectionSettings, hop: Int),
        scoringProgress: (Int, Int) -> Void = { _, _ in }
    ) throws -> [Window] {
        let spotter = try KeywordSpotter(directory: model)
        let (settings, hop) = try rules(spotter)
        let detector = try KeywordDetector(spotter: spotter, hop: hop, settings: settings)
        let recorded = try StreamingDetectionEvaluator.record(audio: audio, detector: detector, progress: scoringProgress)
        var mining = self
        mining.smoothingHops = settings.smoothingHops
        let windows = mining.windows(in: recorded, keywords: settings.keywords, labels: try KeywordInterval.load(csv: labels))
        let frontEnd = spotter.configuration.frontEnd
        try Self.save(windows, audio: audio, clipSamples: frontEnd.clipSamples, sampleRate: frontEnd.sampleRate, to: directory)
        return windows
    }
}
