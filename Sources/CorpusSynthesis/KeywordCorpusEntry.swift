import Voices

/// One word folder of a synthesized keyword corpus (``KeywordCorpusBuilder``): its folder name, what is said in its
/// clips, and how many clips it gets.
///
/// ```swift
/// KeywordCorpusEntry(folder: "hey_jarvis", texts: ["hey jarvis"], clips: 400)        // a wake phrase
/// KeywordCorpusEntry(folder: "unknown-confusable", texts: ["harvest", "hey harvest"], clips: 300)
/// KeywordCorpusEntry(folder: "unknown-speech", texts: [], clips: 200)                // running speech
/// ```
public struct KeywordCorpusEntry: Sendable, Equatable {
    /// The word folder (no `/`, not starting with `_`).
    public var folder: String
    /// What a clip says: one of these, drawn per clip (seeded); empty for running speech (a generated sentence, of
    /// which a window-long stretch is kept).
    public var texts: [String]
    /// Clips to make.
    public var clips: Int
    /// Engine families that say none of its clips while the corpus has others (a slow engine kept for what matters
    /// most); empty: every family of the corpus.
    public var avoidedEngines: Set<EngineFamily>

    /// An entry (see the properties).
    public init(folder: String, texts: [String], clips: Int, avoidedEngines: Set<EngineFamily> = []) {
        self.folder = folder
        self.texts = texts
        self.clips = clips
        self.avoidedEngines = avoidedEngines
    }

    /// Whether clips are windows of running speech rather than a fitted word or phrase.
    public var isRunningSpeech: Bool { texts.isEmpty }
}
