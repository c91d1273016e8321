import AudioDatasets
import AudioIO
import Foundation
import SpeechSynthesis

extension IntelligibilityTable {
    /// Judges the clips of `manifest` (those of `split`, or all), reading each at the judge's 16 kHz.
    ///
    /// Resumable: rows already in `output` are kept, not judged again; the table is written there every 32 clips and
    /// at the end.
    /// - Parameters:
    ///   - manifest: the corpus.
    ///   - split: only clips made for this split (`test`), or nil for every clip.
    ///   - output: where the table is written as it grows, or nil.
    ///   - jobs: clips judged at once (each call of `judge` from its own thread).
    ///   - judge: samples `[n]` at 16 kHz and the clip's text → the verdict.
    ///   - progress: called after each batch of clips.
    /// - Throws: ``DatasetError/emptySplit(split:path:)`` when no clip is in `split`; what `judge` or reading throws.
    public static func judging(
        _ manifest: KeywordCorpusManifest, split: String?, output: String? = nil, jobs: Int = 1,
        progress: CorpusProgressHandler? = nil,
        judge: @Sendable (_ samples: [Float], _ text: String) throws -> IntelligibilityVerdict
    ) throws -> IntelligibilityTable {
        let clips = manifest.clips.filter { split == nil || $0.split == split }
        guard !clips.isEmpty else { throw DatasetError.emptySplit(split: split ?? "any", path: manifest.root) }
        var done: [String: Row] = [:]
        if let output, FileManager.default.fileExists(atPath: output) {
            for row in try IntelligibilityTable(path: output).rows { done[row.path] = row }
        }
        let finished = done
        var rows: [Row] = []
        for start in stride(from: 0, to: clips.count, by: 32) {
            let chunk = Array(clips[start..<min(clips.count, start + 32)])
            rows += try parallelMap(count: chunk.count, workers: jobs) { i in
                let clip = chunk[i]
                if let row = finished[clip.path] { return row }
                let path = (manifest.root as NSString).appendingPathComponent(clip.path)
                let samples = try MonoReader(path: path, sampleRate: IntelligibilityJudge.sampleRate).readAll()
                let verdict = try judge(samples, clip.text)
                return Row(path: clip.path, transcript: verdict.transcript, saysText: verdict.saysText)
            }
            if let output { try IntelligibilityTable(rows: rows).write(to: output) }
            progress?(CorpusProgress(done: rows.count, total: clips.count, item: rows.last?.path ?? ""))
        }
        return IntelligibilityTable(rows: rows)
    }
}
