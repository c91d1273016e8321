enum TensorCorePlaceholder {}
