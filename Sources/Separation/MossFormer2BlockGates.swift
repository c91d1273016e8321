import TensorCore

/// Multiplicative gates on one MossFormer2 block's structural units, for training with variational information
/// bottleneck gates (`sepkws compress`). Each is optional (nil: ungated) and has a leading batch axis of `B` (one
/// sample per example) or 1 (shared):
///
/// - `block [B or 1, 1, 1]` scales both residual branches (the attention layer's to_out and the FSMN block's conv2);
/// - `queryKey [B or 1, 1, Q]` scales the features of the two query heads (quad_q, lin_q) before the rotary
///   embedding, so a zero removes that query/key channel's every product;
/// - `hidden [B or 1, 1, E]` scales the expansion units (the inputs of to_out's Linear after its ScaleNorm; unit `e`
///   is the pair `v_e`, `u_e` and to_out's column `e`);
/// - `fsmnHidden [B or 1, 1, H]` scales the FSMN unit's hidden units (ReLU outputs of `linear`, inputs of `project`).
public struct MossFormer2BlockGates {
    public var block: Tensor?
    public var queryKey: Tensor?
    public var hidden: Tensor?
    public var fsmnHidden: Tensor?

    public init(block: Tensor? = nil, queryKey: Tensor? = nil, hidden: Tensor? = nil, fsmnHidden: Tensor? = nil) {
        self.block = block
        self.queryKey = queryKey
        self.hidden = hidden
        self.fsmnHidden = fsmnHidden
    }
}
