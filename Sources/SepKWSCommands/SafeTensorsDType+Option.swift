import TensorCore

extension SafeTensorsDType {
    /// The element type a `--dtype` option names: `f32`, `f16` or `bf16`, in any case; nil for anything else.
    init?(option name: String) { self.init(rawValue: name.uppercased()) }
}
