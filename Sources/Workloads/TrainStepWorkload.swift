import NN
import TensorCore

/// One training step of a small keyword-spotter-shaped network: `Conv1d(40→64, k3) → ReLU →
/// TransformerEncoderLayer(64, 4 heads, FF 128) → mean over time → Linear(64→12)`, cross-entropy with label
/// smoothing, backward, global-norm clipping and an AdamW step. Shared by `sepkws bench train-step` and
/// KernelBenchmarks. Shapes: input `[B, 40, 98]` (log-mel frames), labels `B` class ids.
package final class TrainStepWorkload: Layer {
    package let conv: Conv1d
    package let encoder: TransformerEncoderLayer
    package let head: Linear
    package var isTraining = true
    /// AdamW over every parameter (set at the end of `init`).
    package private(set) var optimizer: Adam!
    package let input: Tensor
    package let labels: [Int]

    package var children: [(name: String, layer: any Layer)] { [("conv", conv), ("encoder", encoder), ("head", head)] }

    /// Builds the network and one seeded batch.
    package init(batch: Int = 8, mels: Int = 40, frames: Int = 98, width: Int = 64, classes: Int = 12, seed: UInt64 = 1) {
        var rng = SplitMix64(seed: seed)
        conv = Conv1d(inputChannels: mels, outputChannels: width, kernelSize: 3, padding: .same, rng: &rng)
        encoder = TransformerEncoderLayer(modelDimension: width, heads: 4, feedForwardDimension: 2 * width, dropout: 0.1, rng: &rng)
        head = Linear(inputFeatures: width, outputFeatures: classes, rng: &rng)
        input = Tensor.randomNormal([batch, mels, frames], using: &rng)
        labels = (0..<batch).map { _ in Int(rng.next() % UInt64(classes)) }
        optimizer = Adam.adamW(parameters: namedParameters(), learningRate: 1e-3)
    }

    /// Logits `[B, classes]` for `x [B, mels, T]`.
    package func logits(_ x: Tensor) -> Tensor {
        let h = conv(x).relu().transposed(1, 2)          // [B, T, width]
        return head(encoder(h).mean(axis: 1))           // [B, classes]
    }

    /// Runs one step and returns the loss before the update.
    @discardableResult
    package func step() -> Float {
        let opt: Adam = optimizer
        opt.zeroGrad()
        let loss = Losses.crossEntropy(logits: logits(input), targets: labels, labelSmoothing: 0.1)
        loss.backward()
        clipGradNorm(opt.parameters, maxNorm: 5)
        opt.step()
        return loss.item
    }
}
