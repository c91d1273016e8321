/// How ``KWSEncoder`` turns its Transformer tokens `[B, T'', E]` into the bottleneck's input.
///
/// - `lastFrames` (`"last_frames"`, the CAB-KWS paper's and the default): the last `last_frames` tokens
///   concatenated, `[B, r·E]`. The Transformer must move what the classifier needs into the end of the window.
/// - `meanTokens` (`"mean"`): the mean over all tokens, `[B, E]`, as masked-spectrogram encoders are read out.
///   Tokens pretrained by masked-frame reconstruction describe their own stretch of audio, so a mean reads them
///   without first having to learn to gather them.
public enum KWSReadout: String, Sendable, Codable, CaseIterable {
    /// The last `last_frames` tokens concatenated.
    case lastFrames = "last_frames"
    /// The mean of all tokens.
    case meanTokens = "mean"
}
