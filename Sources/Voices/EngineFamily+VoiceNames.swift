extension EngineFamily {
    /// espeak-ng's MBROLA voices that speak English, and the database each needs (what ``mbrola`` speaks with).
    public static let mbrolaVoices: [(voice: String, database: String)] = [
        ("mb-us1", "us1"), ("mb-us2", "us2"), ("mb-us3", "us3"), ("mb-en1", "en1"),
        ("mb-af1-en", "af1"), ("mb-de1-en", "de1"), ("mb-de2-en", "de2"), ("mb-de3-en", "de3"), ("mb-de4-en", "de4"),
        ("mb-de5-en", "de5"), ("mb-de6-en", "de6"), ("mb-fr1-en", "fr1"), ("mb-fr4-en", "fr4"), ("mb-gr2-en", "gr2"),
        ("mb-hu1-en", "hu1"), ("mb-nl2-en", "nl2"), ("mb-pl1-en", "pl1"), ("mb-ro1-en", "ro1"), ("mb-sw1-en", "sw1"),
        ("mb-sw2-en", "sw2"),
    ]

    /// espeak-ng languages whose own letter-to-sound rules read English text, an accent (``ReaderSet/accented``):
    /// Latin-script languages, so that the English letters are read rather than spelled.
    public static let espeakReaderLanguages = [
        "af", "ca", "cs", "da", "de", "es", "fi", "fr-fr", "hr", "hu", "id", "it", "nb", "nl", "pl", "pt", "ro", "sk", "sv", "tr",
    ]

    /// MBROLA voices that read English text with their own language's rules (``ReaderSet/accented``; the same
    /// recorded speakers as ``mbrolaVoices``' `mb-XX-en`, which map English phonemes onto them instead), and the
    /// database each needs.
    public static let mbrolaReaderVoices: [(voice: String, database: String)] = [
        ("mb-af1", "af1"), ("mb-de1", "de1"), ("mb-de2", "de2"), ("mb-de3", "de3"), ("mb-de4", "de4"), ("mb-de5", "de5"),
        ("mb-de6", "de6"), ("mb-fr1", "fr1"), ("mb-fr4", "fr4"), ("mb-hu1", "hu1"), ("mb-nl2", "nl2"), ("mb-pl1", "pl1"),
        ("mb-ro1", "ro1"), ("mb-sw1", "sw1"), ("mb-sw2", "sw2"),
    ]

    /// Festival's voices used (``festival``): Festival's name and the folder under `/usr/share/festival/voices/` that
    /// holds it.
    public static let festivalVoices: [(voice: String, folder: String)] = [
        ("rab_diphone", "english/rab_diphone"), ("don_diphone", "english/don_diphone"),
        ("el_diphone", "spanish/el_diphone"), ("lp_diphone", "italian/lp_diphone"), ("pc_diphone", "italian/pc_diphone"),
        ("czech_dita", "czech/czech_dita"), ("czech_krb", "czech/czech_krb"), ("czech_machac", "czech/czech_machac"),
        ("czech_ph", "czech/czech_ph"), ("suo_fi_lj_diphone", "finnish/suo_fi_lj_diphone"),
        ("hy_fi_mv_diphone", "finnish/hy_fi_mv_diphone"), ("upc_ca_ona_hts", "catalan/upc_ca_ona_hts"),
    ]

    /// SVOX Pico's languages used (``pico``).
    public static let picoLanguages = ["de-DE", "es-ES", "fr-FR", "it-IT"]

    /// How many speakers Kokoro's catalog offers (``kokoro``: `0000` to `0599`).
    public static let kokoroSpeakerCount = 600

    /// A Kokoro voice name split into its speaker number and, for an accented reader (``ReaderSet/accented``), the
    /// espeak-ng language (one of ``espeakReaderLanguages``) whose rules turn the English text into the phonemes it
    /// speaks; nil for a name that is not Kokoro's.
    ///
    /// ```swift
    /// EngineFamily.kokoroVoice("0042")        // (42, nil): speaker 42 with its own English accent
    /// EngineFamily.kokoroVoice("0042-cs")     // (42, "cs"): speaker 42 reading English by Czech rules
    /// EngineFamily.kokoroVoice("0042-xx")     // nil
    /// ```
    public static func kokoroVoice(_ name: String) -> (speaker: Int, language: String?)? {
        let digits = name.prefix(4)
        guard digits.count == 4, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let speaker = Int(digits),
              speaker < kokoroSpeakerCount else { return nil }
        let rest = name.dropFirst(4)
        if rest.isEmpty { return (speaker, nil) }
        let language = String(rest.dropFirst())
        guard rest.first == "-", espeakReaderLanguages.contains(language) else { return nil }
        return (speaker, language)
    }

    /// The family whose voice table holds `name`, a voice as a keyword corpus's `clips.csv` writes it (``Voice/name``,
    /// without the engine prefix): for corpora made before `clips.csv` had an `engine` column.
    ///
    /// MBROLA's and Festival's voices are those of ``mbrolaVoices`` (and ``mbrolaReaderVoices``) and ``festivalVoices``; Pico's are its languages
    /// (``picoLanguages``, `de-DE`); Kokoro's are four-digit speaker numbers below ``kokoroSpeakerCount`` (`0481`),
    /// with a reader language for its accented readers (`0481-cs`, ``kokoroVoice(_:)``);
    /// every other name is espeak-ng's (`en-us`, `en-gb-x-rp`).
    ///
    /// ```swift
    /// EngineFamily(voiceName: "mb-de3-en")     // .mbrola
    /// EngineFamily(voiceName: "rab_diphone")   // .festival
    /// EngineFamily(voiceName: "en-us")         // .espeak
    /// ```
    public init(voiceName name: String) {
        if (Self.mbrolaVoices + Self.mbrolaReaderVoices).contains(where: { $0.voice == name }) {
            self = .mbrola
        } else if Self.festivalVoices.contains(where: { $0.voice == name }) {
            self = .festival
        } else if Self.picoLanguages.contains(name) {
            self = .pico
        } else if Self.kokoroVoice(name) != nil {
            self = .kokoro
        } else {
            self = .espeak
        }
    }
}
