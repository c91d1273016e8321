import Foundation
import NN
import TensorCore

/// The MossFormer2 speech separator (ClearerVoice-Studio's `MossFormer`): encoder Conv1d(1→N, K, stride K/2) + ReLU,
/// the mask network, per-speaker masking, a shared ConvTranspose1d decoder, and the output fixed to the input
/// length. Parameter keys are the reference's state-dict keys (`enc.conv1d.weight`, `mask_net....`, `dec.weight`),
/// so published checkpoints converted to safetensors load unmodified.
///
/// The same forward serves training (autograd on, dropout active with `setTraining(true)`) and inference
/// (`Autograd.withInferenceMode`, `setTraining(false)`). Inference only reads the model: its run-time buffers live
/// in a ``MossFormer2Workspace`` the caller owns, so one loaded model serves several streams or threads, each with
/// its own workspace.
///
/// ```swift
/// let model = try MossFormer2Separator(directory: "Models/mossformer2-8k")
/// let sources = model.separate(mixture)       // [C][T]
/// let workspace = model.makeWorkspace()       // reused across calls: no allocation in the steady state
/// let window = model.separate(piece, workspace: workspace)
/// ```
public final class MossFormer2Separator: Layer {
    /// The sizes.
    public let configuration: MossFormer2Configuration
    let encoder: Conv1d
    let maskNet: MaskNet
    let decoder: ConvTranspose1d
    public var isTraining = false
    /// Receives named intermediate tensors (parity tests and debugging); `nil` costs nothing.
    public var trace: ((String, Tensor) -> Void)? {
        didSet { maskNet.trace = trace }
    }

    /// A randomly initialised model (PyTorch default initialisations), in evaluation mode.
    /// - Parameters:
    ///   - dropout: the training-time dropout of every FFConvM and attention matrix (reference: 0.1).
    ///   - seed: seeds the initial weights and the dropout masks.
    /// - Throws: ``SeparationError/invalidConfiguration(field:value:reason:)``.
    public init(configuration: MossFormer2Configuration, dropout: Float = 0.1, seed: UInt64 = 0) throws(SeparationError) {
        try configuration.validate()
        self.configuration = configuration
        var rng = SplitMix64(seed: seed)
        let n = configuration.encoderEmbeddingDim, k = configuration.encoderKernelSize
        encoder = Conv1d(inputChannels: 1, outputChannels: n, kernelSize: k, stride: k / 2, bias: false, rng: &rng)
        maskNet = MaskNet(configuration: configuration, dropout: dropout, rng: &rng)
        decoder = ConvTranspose1d(inputChannels: n, outputChannels: 1, kernelSize: k, stride: k / 2, bias: false, rng: &rng)
        setTraining(false)
    }

    public var children: [(name: String, layer: any Layer)] {
        [("enc", LayerGroup([("conv1d", encoder)])), ("mask_net", maskNet), ("dec", decoder)]
    }

    /// A fresh workspace for this model's inference path: one per stream or thread (see ``MossFormer2Workspace``).
    public func makeWorkspace() -> MossFormer2Workspace { MossFormer2Workspace(configuration: configuration) }

    /// Separates a batch of mixtures. In inference mode (`Autograd.withInferenceMode`) this takes the fused path on
    /// a temporary workspace; pass one with ``callAsFunction(_:workspace:)`` to reuse its buffers.
    /// - Parameter mixture: `[B, T]` at ``MossFormer2Configuration/sampleRate``, `T >= encoder_kernel_size`.
    /// - Returns: `[B, C, T]` (batch, speakers, time).
    public func callAsFunction(_ mixture: Tensor) -> Tensor {
        forward(mixture, workspace: nil, gates: nil)
    }

    /// Separates a batch of mixtures, the inference path running on the caller's `workspace` (the model itself is
    /// only read).
    /// - Parameters:
    ///   - mixture: `[B, T]` at ``MossFormer2Configuration/sampleRate``, `T >= encoder_kernel_size`.
    ///   - workspace: buffers made by ``makeWorkspace()`` (or for an equal configuration), used in inference mode
    ///     only; nil makes a temporary one there.
    /// - Returns: `[B, C, T]` (batch, speakers, time).
    public func callAsFunction(_ mixture: Tensor, workspace: MossFormer2Workspace?) -> Tensor {
        forward(mixture, workspace: workspace, gates: nil)
    }

    /// Separates a batch through structural gates on the blocks (`sepkws compress`): one ``MossFormer2BlockGates``
    /// per block (nil: none, the plain forward). Gated passes take the autograd path even in inference mode, so
    /// they need no workspace.
    /// - Parameter mixture: `[B, T]`.
    /// - Returns: `[B, C, T]` (batch, speakers, time).
    public func callAsFunction(_ mixture: Tensor, gates: [MossFormer2BlockGates]?) -> Tensor {
        forward(mixture, workspace: nil, gates: gates)
    }

    /// The forward pass: `[B, T] -> [B, C, T]`, the fused blocks on `workspace` in inference mode when ungated.
    private func forward(_ mixture: Tensor, workspace: MossFormer2Workspace?, gates: [MossFormer2BlockGates]?) -> Tensor {
        precondition(gates == nil || gates!.count == configuration.numMossformerLayer, "MossFormer2: one gate set per block")
        precondition(mixture.rank == 2, "MossFormer2: input must be [B, T], got \(mixture.shape)")
        let t = mixture.shape[1]
        precondition(t >= configuration.encoderKernelSize, "MossFormer2: \(t) samples is shorter than one encoder frame")
        let encoded = encoder(mixture.unsqueezed(1)).relu()                  // [B, N, S]
        trace?("enc.out", encoded)
        let masks = maskNet(encoded, workspace: workspace, gates: gates)    // [C, B, N, S]
        trace?("masks", masks)
        let speakers = configuration.numSpks
        let outputs = (0..<speakers).map { c -> Tensor in
            let mask = masks.sliced(axis: 0, c..<c + 1).squeezed(0)
            let decoded = decoder(encoded * mask).squeezed(1)                 // [B, L]
            trace?("decoder.out.spk\(c)", decoded)
            let length = decoded.shape[1]
            return length >= t ? decoded.sliced(axis: 1, 0..<t) : decoded.padded(axis: 1, before: 0, after: t - length)
        }
        return Tensor.stacked(outputs, axis: 1)                               // [B, C, T]
    }

    /// Separates one mono mixture in inference mode (no graph, no dropout) on a temporary workspace; a caller that
    /// separates many pieces passes one to ``separate(_:workspace:)`` instead.
    /// - Parameter mixture: `[T]` samples at the model rate.
    /// - Returns: `[C][T]`.
    public func separate(_ mixture: [Float]) -> [[Float]] {
        separate(mixture, workspace: makeWorkspace())
    }

    /// Separates one mono mixture in inference mode (no graph, no dropout) on the caller's workspace.
    /// - Parameters:
    ///   - mixture: `[T]` samples at the model rate.
    ///   - workspace: buffers made by ``makeWorkspace()``, used by one call at a time.
    /// - Returns: `[C][T]`.
    public func separate(_ mixture: [Float], workspace: MossFormer2Workspace) -> [[Float]] {
        let padded = mixture.count >= configuration.encoderKernelSize
            ? mixture : mixture + [Float](repeating: 0, count: configuration.encoderKernelSize - mixture.count)
        let out = Autograd.withInferenceMode { self(Tensor(padded, shape: [1, padded.count]), workspace: workspace) }
        let t = padded.count
        let values = out.scalars                                              // [1, C, T]
        return (0..<configuration.numSpks).map { Array(values[$0 * t..<$0 * t + mixture.count]) }
    }
}
