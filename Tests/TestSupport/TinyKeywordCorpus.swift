import AudioDatasets
import AudioIO
import Foundation
import Voices

/// A small keyword corpus folder as `sepkws synth kws` writes it: `clips.csv` (with or without the `engine` column)
/// and four 1 s tone clips (`yes` and `no`; Festival, Pico and espeak-ng voices; test and train splits).
/// - Parameters:
///   - dir: the folder the corpus is made in (as `DIR/kws`).
///   - engineColumn: write the `engine` column; it records the Pico voice as festival, so that a test can tell the
///     column from the voice name.
/// - Returns: the corpus folder.
public func makeTinyKeywordCorpus(in dir: TemporaryDirectory, engineColumn: Bool) throws -> String {
    let root = dir.file("kws")
    let rows: [[String]] = [
        ["yes/a_nohash_0.wav", "yes", "rab_diphone", "", "test", "none"], ["yes/b_nohash_1.wav", "yes", "de-DE", "", "test", "pink"],
        ["no/a_nohash_0.wav", "no", "rab_diphone", "", "test", "white"], ["no/c_nohash_1.wav", "no", "en-us", "f3", "train", "none"],
    ]
    for (i, row) in rows.enumerated() {
        try FileManager.default.createDirectory(atPath: "\(root)/\(row[1])", withIntermediateDirectories: true)
        let tone = (0..<16_000).map { 0.1 * Float(i + 1) * sin(Float($0) * 0.05) }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: tone), to: "\(root)/\(row[0])")
    }
    let header = ["path", "word", "voice", "variant", "split", "noise"] + (engineColumn ? ["engine"] : [])
    // With the column, the Pico voice is recorded as festival: the column wins over the name.
    let cells = rows.map { engineColumn ? $0 + [$0[2] == "de-DE" ? "festival" : EngineFamily(voiceName: $0[2]).rawValue] : $0 }
    try CSVTable(header: header, rows: cells).write(to: "\(root)/clips.csv")
    return root
}
