extension EngineFamily {
    /// The family whose voice table holds `name`, a voice as a keyword corpus's `clips.csv` writes it (``Voice/name``,
    /// without the engine prefix): for corpora made before `clips.csv` had an `engine` column.
    ///
    /// MBROLA's and Festival's voices are those of ``MbrolaSynthesizer/voices`` and ``FestivalSynthesizer/voices``;
    /// Pico's are its languages
    /// (``PicoSynthesizer/languages``, `de-DE`); Kokoro's are four-digit speaker numbers below
    /// ``KokoroSynthesizer/speakerCount`` (`0481`); every other name is espeak-ng's (`en-us`, `en-gb-x-rp`).
    ///
    /// ```swift
    /// EngineFamily(voiceName: "mb-de3-en")     // .mbrola
    /// EngineFamily(voiceName: "rab_diphone")   // .festival
    /// EngineFamily(voiceName: "en-us")         // .espeak
    /// ```
    public init(voiceName name: String) {
        if MbrolaSynthesizer.voices.contains(where: { $0.voice == name }) {
            self = .mbrola
        } else if FestivalSynthesizer.voices.contains(where: { $0.voice == name }) {
            self = .festival
        } else if PicoSynthesizer.languages.contains(name) {
            self = .pico
        } else if name.utf8.count == 4, name.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let n = Int(name),
                  n < KokoroSynthesizer.speakerCount {
            self = .kokoro
        } else {
            self = .espeak
        }
    }
}
