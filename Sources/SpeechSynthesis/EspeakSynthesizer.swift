import CEspeak
import Foundation
import Synchronization

/// Text-to-speech with libespeak-ng, in process: English text in, 16-bit mono speech out at espeak's rate
/// (22,050 Hz), scaled to `Float`.
///
/// libespeak-ng keeps global state, so every call goes through one process-wide lock; use
/// ``EspeakSynthesizer/shared`` from any thread.
///
/// ```swift
/// let speech = try EspeakSynthesizer.shared.synthesize("yes", voice: Voice(name: "en-us", variant: "f3"))
/// ```
public final class EspeakSynthesizer: Sendable {
    /// The one synthesizer of the process.
    public static let shared = EspeakSynthesizer()

    private let state = Mutex<State>(State())

    private struct State: ~Copyable {
        var sampleRate = 0
        var failure: String?
        var voices: [String] = []
        var variants: [String] = []
    }

    private init() {}

    /// espeak-ng's output rate (Hz).
    /// - Throws: ``SynthesisError/unavailable(reason:)``.
    public func sampleRate() throws(SynthesisError) -> Int {
        try state.withLock { state throws(SynthesisError) in try Self.start(&state) }
    }

    /// English voices that need no extra data (mbrola voices are left out), sorted.
    public func englishVoices() throws(SynthesisError) -> [String] {
        try state.withLock { state throws(SynthesisError) in
            _ = try Self.start(&state)
            return state.voices
        }
    }

    /// Every variant espeak-ng ships, sorted.
    public func variants() throws(SynthesisError) -> [String] {
        try state.withLock { state throws(SynthesisError) in
            _ = try Self.start(&state)
            return state.variants
        }
    }

    /// Whether espeak-ng accepts `identity` (`voice` or `voice+variant`) as a voice.
    public func supports(_ identity: String) throws(SynthesisError) -> Bool {
        try state.withLock { state throws(SynthesisError) in
            _ = try Self.start(&state)
            return espeak_SetVoiceByName(identity) == EE_OK
        }
    }

    /// Speaks `text`.
    /// - Returns: mono samples in [-1, 1] at ``sampleRate()``, `[n]`.
    /// - Throws: ``SynthesisError`` for an unknown voice, a parameter out of range, or no audio.
    public func synthesize(_ text: String, voice: Voice) throws(SynthesisError) -> [Float] {
        for (name, value, range) in [
            ("pitch", voice.pitch, 0...99), ("pitch range", voice.pitchRange, 0...99), ("rate", voice.rate, 80...450),
            ("amplitude", voice.amplitude, 0...200), ("word gap", voice.wordGap, 0...50),
        ] where !range.contains(value) {
            throw .invalidParameter(name: name, value: value, range: range)
        }
        return try state.withLock { state throws(SynthesisError) in
            _ = try Self.start(&state)
            guard espeak_SetVoiceByName(voice.identity) == EE_OK else { throw .unknownVoice(voice.identity) }
            espeak_SetParameter(espeakRATE, Int32(voice.rate), 0)
            espeak_SetParameter(espeakPITCH, Int32(voice.pitch), 0)
            espeak_SetParameter(espeakRANGE, Int32(voice.pitchRange), 0)
            espeak_SetParameter(espeakVOLUME, Int32(voice.amplitude), 0)
            espeak_SetParameter(espeakWORDGAP, Int32(voice.wordGap), 0)
            let sink = SampleSink()
            let unmanaged = Unmanaged.passRetained(sink)
            defer { unmanaged.release() }
            let bytes = Array(text.utf8CString)
            let result = bytes.withUnsafeBufferPointer { text in
                espeak_Synth(
                    text.baseAddress, text.count, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil,
                    unmanaged.toOpaque())
            }
            espeak_Synchronize()
            guard result == EE_OK, !sink.samples.isEmpty else { throw .noAudio(text: text, voice: voice.identity) }
            return sink.samples
        }
    }

    /// Initializes libespeak-ng once, reading its voice lists.
    private static func start(_ state: inout State) throws(SynthesisError) -> Int {
        if state.sampleRate > 0 { return state.sampleRate }
        if let failure = state.failure { throw .unavailable(reason: failure) }
        let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nil, Int32(espeakINITIALIZE_DONT_EXIT))
        guard rate > 0 else {
            state.failure = "espeak_Initialize returned \(rate)"
            throw .unavailable(reason: state.failure!)
        }
        espeak_SetSynthCallback(synthCallback)
        state.sampleRate = Int(rate)
        state.voices = Array(Set(listVoices(language: nil).filter { language, file in
            language.hasPrefix("en") && !file.hasPrefix("mb/")
        }.map(\.language))).sorted()
        state.variants = Array(Set(listVoices(language: "variant").map { $0.file.split(separator: "/").last.map(String.init) ?? $0.file }))
            .sorted()
        return state.sampleRate
    }

    /// `(language, file)` of every voice espeak-ng lists for `language` (`nil` = all).
    private static func listVoices(language: String?) -> [(language: String, file: String)] {
        var spec = espeak_VOICE()
        let list: UnsafeMutablePointer<UnsafePointer<espeak_VOICE>?>? = language.map { language in
            language.withCString { name in
                spec.languages = name
                return espeak_ListVoices(&spec)
            }
        } ?? espeak_ListVoices(nil)
        guard let list else { return [] }
        var result: [(String, String)] = []
        var index = 0
        while let voice = list[index] {
            // `languages` is a sequence of (priority byte, zero-terminated name), ended by a zero priority.
            var pointer = voice.pointee.languages
            while let p = pointer, p.pointee != 0 {
                let name = String(cString: p + 1)
                let file = voice.pointee.identifier.map { String(cString: $0) } ?? ""
                result.append((name, file))
                pointer = p + 1 + name.utf8.count + 1
            }
            index += 1
        }
        return result
    }
}

/// Collects the samples of one `espeak_Synth` call (reached through the events' `user_data`).
private final class SampleSink {
    var samples: [Float] = []
}

private func synthCallback(
    _ wave: UnsafeMutablePointer<Int16>?, _ count: Int32, _ events: UnsafeMutablePointer<espeak_EVENT>?
) -> Int32 {
    guard let events, let userData = events.pointee.user_data else { return 0 }
    let sink = Unmanaged<SampleSink>.fromOpaque(userData).takeUnretainedValue()
    if let wave, count > 0 {
        sink.samples.append(contentsOf: UnsafeBufferPointer(start: wave, count: Int(count)).lazy.map { Float($0) / 32768 })
    }
    return 0
}
