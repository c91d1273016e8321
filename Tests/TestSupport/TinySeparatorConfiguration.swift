import Separation

extension MossFormer2Configuration {
    /// A MossFormer2 small enough for unit tests (N = D = 16, one block, Q = 8, F = 8, g = 32, 8 kHz, 2 speakers):
    /// about 7,400 weights, every kind of layer the full model has.
    public static var tiny: MossFormer2Configuration {
        var configuration = MossFormer2Configuration()
        configuration.encoderEmbeddingDim = 16
        configuration.mossformerSequenceDim = 16
        configuration.numMossformerLayer = 1
        configuration.groupSize = 32
        configuration.queryKeyDim = 8
        configuration.fsmnInnerChannels = 8
        configuration.sampleRate = 8_000
        return configuration
    }
}
