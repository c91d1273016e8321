import ArgumentParser
import Foundation
import SpeechSynthesis
import Training
import Voices

/// The options of `train-kws --words`: a wake-word model made from the phrases' text alone.
struct WakeWordOptions: ParsableArguments {
    @Option(help: "Train a detector for your own phrases from text alone, comma-separated (\"hey jarvis,computer\"): synthesized positives and hard negatives, fine-tuned from the shipped encoder, thresholds calibrated. Needs no --data.")
    var words: String?

    @Option(help: "With --words: engine families that speak, comma-separated, or all (default: every installed one; see `sepkws synth engines`).")
    var engines: String?

    @Option(help: "With --words: which speakers say the training clips: english, accented (espeak-ng, MBROLA and Kokoro voices reading with the rules of other languages) or both (default both).")
    var readers: ReaderSet?

    @Option(help: "With --words: false accepts per hour each phrase's threshold is calibrated to (default 0.5).")
    var targetFaPerHour: Double?

    @Option(help: "With --words: your own recordings of the phrase (audio files; for several phrases, a folder per phrase named like hey_jarvis/). Each is used 10 times.")
    var examples: String?

    @Option(help: "With --words: your background audio without the phrase (TV, office, kitchen): cut into _unknown_ windows and used as noise.")
    var negatives: String?

    @Option(help: "With --words: windows where an earlier model of these phrases fired falsely (`sepkws eval-stream --mine-negatives DIR` on a stream of training speakers, `synth stream --speakers train`): added to _unknown_ as they are.")
    var hardNegatives: String?

    @Option(help: "With --words: synthesized clips per phrase (default 1200; negatives scale with it).")
    var clipsPerPhrase: Int?

    @Option(help: "With --words: minutes of the synthesized calibration stream (dev-split speakers of the run's engines but Kokoro; default 60).")
    var calibrationMinutes: Double?

    @Option(help: "With --words: minutes of a synthesized stream of training speakers (espeak-ng, MBROLA and the other fast engines of the run) on which the trained model's false accepts are mined; the model is then trained again with them as _unknown_ (default 60; 0: one round, no mining).")
    var miningMinutes: Double?

    @Option(help: "With --words: lowest smoothed score of a mined false-accept peak (default 0.5).")
    var miningThreshold: Float?

    @Option(help: "With --words and mining: steps of the first round, whose model only mines its false accepts (default: a third of --steps, which the second round, the final model, trains).")
    var firstRoundSteps: Int?

    @Option(help: "With --words: word list searched for confusers, one word per line (default /usr/share/dict/american-english from wamerican, else a built-in list of 400 words).")
    var wordList: String?

    /// The phrases, trimmed, in order.
    var phrases: [String] {
        (words ?? "").split(separator: ",").map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.filter { !$0.isEmpty }
    }

    /// Which of these options were given (all need --words; a resumed run takes them from its folder).
    var given: [(String, Bool)] {
        [("--engines", engines != nil), ("--readers", readers != nil), ("--target-fa-per-hour", targetFaPerHour != nil), ("--examples", examples != nil),
         ("--negatives", negatives != nil), ("--hard-negatives", hardNegatives != nil), ("--clips-per-phrase", clipsPerPhrase != nil), ("--calibration-minutes", calibrationMinutes != nil),
         ("--word-list", wordList != nil), ("--mining-minutes", miningMinutes != nil),
         ("--mining-threshold", miningThreshold != nil), ("--first-round-steps", firstRoundSteps != nil)]
    }

    func validate() throws {
        if words == nil, let option = given.first(where: { $0.1 }) { throw ValidationError("\(option.0) needs --words") }
        guard words == nil || !phrases.isEmpty else { throw ValidationError("--words: give at least one phrase") }
        for phrase in phrases where phrase.hasPrefix("_") || phrase.contains("/") {
            throw ValidationError("--words '\(phrase)': a phrase must not start with _ or contain /")
        }
        if let targetFaPerHour, !(targetFaPerHour >= 0 && targetFaPerHour.isFinite) {
            throw ValidationError("--target-fa-per-hour \(targetFaPerHour): must be 0 or more")
        }
        if let clipsPerPhrase, !(4...100_000).contains(clipsPerPhrase) { throw ValidationError("--clips-per-phrase \(clipsPerPhrase): must be 4 to 100000") }
        if let calibrationMinutes, !(calibrationMinutes > 0 && calibrationMinutes <= 600) {
            throw ValidationError("--calibration-minutes \(calibrationMinutes): must be in (0, 600]")
        }
        if let miningMinutes, !(miningMinutes >= 0 && miningMinutes <= 600) {
            throw ValidationError("--mining-minutes \(miningMinutes): must be in [0, 600] (0: no mining)")
        }
        if let miningThreshold, !(miningThreshold > 0 && miningThreshold <= 1) {
            throw ValidationError("--mining-threshold \(miningThreshold): must be in (0, 1]")
        }
        if let firstRoundSteps, !(1...10_000_000).contains(firstRoundSteps) {
            throw ValidationError("--first-round-steps \(firstRoundSteps): must be 1 to 10000000")
        }
        if firstRoundSteps != nil && miningMinutes == 0 { throw ValidationError("--first-round-steps needs mining (--mining-minutes above 0)") }
        if let wordList, !FileManager.default.isReadableFile(atPath: wordList) { throw ValidationError("--word-list \(wordList): not a readable file") }
        for (name, path) in [("--examples", examples), ("--negatives", negatives), ("--hard-negatives", hardNegatives)] {
            guard let path else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("\(name) \(path): not a folder")
            }
        }
    }

    /// These options with the `wake_word` values of a run's settings taken where no option was given (`engines`,
    /// `target_fa_per_hour`, `calibration_minutes`, `mining_minutes`, `mining_threshold`): with the settings of a
    /// `--settings` file merged under the options (``SettingsFile/merged(file:flags:defaults:)``), the file decides
    /// what the data stage synthesizes. An empty engine list leaves the engines to the options (every installed one).
    /// - Throws: ``TrainingError/settingsFile(path:reason:)`` naming the file for a value out of range.
    func taking(_ wake: WakeWordSettings, fromSettingsFile path: String) throws -> WakeWordOptions {
        var filled = self
        if !wake.engines.isEmpty { filled.engines = wake.engines.joined(separator: ",") }
        filled.targetFaPerHour = wake.targetFalseAcceptsPerHour
        filled.calibrationMinutes = wake.calibrationMinutes
        filled.miningMinutes = wake.miningMinutes
        filled.miningThreshold = wake.miningThreshold
        do { try filled.validate() } catch let error as ValidationError {
            throw TrainingError.settingsFile(path: path, reason: "\"wake_word\": \(error.message)")
        }
        return filled
    }

    /// The wake-word settings these options give (the defaults where an option is absent).
    /// - Parameters:
    ///   - engines: the engine families that speak (default: those given, or none).
    ///   - fillers: the calibration stream's confusers and phrase parts.
    ///   - preparationSeconds: the data stage's time, for the report.
    func settings(engines: [String]? = nil, fillers: [String] = [], preparationSeconds: Double = 0) -> WakeWordSettings {
        WakeWordSettings(
            engines: engines ?? self.engines.map { $0.split(separator: ",").map(String.init) } ?? [],
            targetFalseAcceptsPerHour: targetFaPerHour ?? 0.5, calibrationMinutes: calibrationMinutes ?? TrainKWS.wakeWordCalibrationMinutes,
            fillers: fillers, preparationSeconds: preparationSeconds, miningMinutes: miningMinutes ?? TrainKWS.wakeWordMiningMinutes,
            miningThreshold: miningThreshold)
    }

    /// The engine families to use: those given (each must be installed), or every installed one.
    func engineFamilies() throws -> [EngineFamily] {
        if let engines {
            let families: [EngineFamily]
            do { families = try EngineFamily.list(engines) } catch { throw ValidationError("--engines: \(error)") }
            for family in families { _ = try SpeechEngines.engine(family).speakers() }
            return families
        }
        return EngineFamily.allCases.filter { (try? SpeechEngines.engine($0).speakers().isEmpty == false) ?? false }
    }
}
