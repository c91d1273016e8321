// Shape manipulation: reshape (shares storage), broadcast, permute, slice, concat, stack, split, pad.
// Everything except `reshaped` copies into new contiguous storage.

extension Tensor {
    /// The same elements under another shape with the same count (no copy: the storage is shared).
    /// One dimension may be `-1` and is inferred.
    /// - Parameter dims: the new dimensions, e.g. `[B * C, T]`.
    public func reshaped(_ dims: [Int]) -> Tensor {
        var dims = dims
        if let hole = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "Cannot reshape \(shape) to \(dims)")
            dims[hole] = count / known
        }
        let newShape = Shape(dims)
        precondition(newShape.count == count, "Cannot reshape \(shape) (\(count) elements) to \(newShape)")
        let out = Tensor(storage: storage, shape: newShape)
        if Autograd.shouldRecord(self) {
            let old = shape
            out.record([self]) { g in [Tensor(storage: g.storage, shape: old)] }
        }
        return out
    }

    /// Inserts a size-1 axis at `axis` (`[C, T]`, axis 0 -> `[1, C, T]`).
    public func unsqueezed(_ axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(a >= 0 && a <= rank, "unsqueezed: axis \(axis) out of range for \(shape)")
        var dims = shape.dims
        dims.insert(1, at: a)
        return reshaped(dims)
    }

    /// Removes the size-1 axis `axis` (`[1, C, T]`, axis 0 -> `[C, T]`).
    public func squeezed(_ axis: Int) -> Tensor {
        let a = shape.normalizedAxis(axis)
        precondition(shape.dims[a] == 1, "squeezed: axis \(axis) of \(shape) is not 1")
        var dims = shape.dims
        dims.remove(at: a)
        return reshaped(dims)
    }

    /// Flattens axes `start...end` into one (`[B, C, T]`, 1...2 -> `[B, C*T]`).
    public func flattened(from start: Int = 0, to end: Int = -1) -> Tensor {
        let s = shape.normalizedAxis(start), e = shape.normalizedAxis(end)
        precondition(s <= e, "flattened: start \(start) after end \(end)")
        let dims = Array(shape.dims[..<s]) + [shape.dims[s...e].reduce(1, *)] + Array(shape.dims[(e + 1)...])
        return reshaped(dims)
    }

    /// Repeats the tensor along broadcast axes to `target` (NumPy broadcasting rules).
    /// - Parameter target: a shape this tensor broadcasts to.
    /// - Returns: shape `target`.
    public func expanded(to target: Shape) -> Tensor {
        if target == shape { return self }
        let plan = BroadcastPlan(out: target, a: shape, b: shape)
        let n = plan.rowLength, ia = plan.aStrides.last!
        let values = [Float](unsafeUninitializedCapacity: target.count) { out, filled in
            withUnsafeBufferPointer { src in
                plan.forEachRow(0..<plan.rowCount) { ao, _, oo in
                    if ia == 0 {
                        let v = src[ao]
                        for j in 0..<n { out[oo + j] = v }
                    } else {
                        for j in 0..<n { out[oo + j] = src[ao + j * ia] }
                    }
                }
            }
            filled = target.count
        }
        let out = Tensor(values, shape: target)
        if Autograd.shouldRecord(self) {
            let own = shape
            out.record([self]) { g in [g.summed(toShape: own)] }
        }
        return out
    }

    /// Sums over the axes along which `target` was broadcast to this shape (the adjoint of ``expanded(to:)``).
    /// - Parameter target: a shape that broadcasts to this tensor's shape.
    /// - Returns: shape `target`.
    public func summed(toShape target: Shape) -> Tensor {
        if target == shape { return self }
        let out = Tensor(Elementwise.sumToShape(scalars, from: shape, to: target), shape: target)
        if Autograd.shouldRecord(self) {
            let own = shape
            out.record([self]) { g in [g.expanded(to: own)] }
        }
        return out
    }

    /// Reorders the axes: output axis `i` is input axis `order[i]` (`[B, C, T]`, `[0, 2, 1]` -> `[B, T, C]`).
    /// - Parameter order: a permutation of `0..<rank`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order) == Set(0..<rank), "permuted: \(order) is not a permutation for \(shape)")
        if order == Array(0..<rank) { return self }
        let inStrides = shape.strides
        let outShape = Shape(order.map { shape.dims[$0] })
        let srcStrides = order.map { inStrides[$0] }
        let swapsLastTwo = rank >= 2 && order[rank - 1] == rank - 2 && order[rank - 2] == rank - 1
            && order.dropLast(2).enumerated().allSatisfy { $0.offset == $0.element }
        let values = swapsLastTwo
            ? Tensor.transposeLastTwo(self) : Tensor.permuteCopy(self, outShape: outShape, srcStrides: srcStrides)
        let out = Tensor(values, shape: outShape)
        if Autograd.shouldRecord(self) {
            var inverse = [Int](repeating: 0, count: order.count)
            for (i, o) in order.enumerated() { inverse[o] = i }
            out.record([self]) { g in [g.permuted(inverse)] }
        }
        return out
    }

    /// Swaps two axes (`[B, C, T]`, 1, 2 -> `[B, T, C]`).
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(shape.normalizedAxis(axis0), shape.normalizedAxis(axis1))
        return permuted(order)
    }

    /// `[..., R, C] -> [..., C, R]` in 16×16 tiles (both sides stay in cache), split over batch items.
    private static func transposeLastTwo(_ x: Tensor) -> [Float] {
        let (rows, cols) = (x.shape[-2], x.shape[-1])
        let matrices = x.count / Swift.max(rows * cols, 1)
        return [Float](unsafeUninitializedCapacity: x.count) { out, filled in
            x.withUnsafeBufferPointer { src in
                let s0 = src.baseAddress!, d0 = out.baseAddress!
                Threading.parallelFor(matrices, grain: Swift.max(1, Threading.parallelGrain / Swift.max(rows * cols, 1))) { range in
                    for m in range {
                        let s = s0 + m * rows * cols, d = d0 + m * rows * cols
                        var r0 = 0
                        while r0 < rows {
                            let r1 = Swift.min(rows, r0 + 16)
                            var c0 = 0
                            while c0 < cols {
                                let c1 = Swift.min(cols, c0 + 16)
                                for r in r0..<r1 {
                                    for c in c0..<c1 { (d + c * rows + r).initialize(to: s[r * cols + c]) }
                                }
                                c0 = c1
                            }
                            r0 = r1
                        }
                    }
                }
            }
            filled = x.count
        }
    }

    private static func permuteCopy(_ x: Tensor, outShape: Shape, srcStrides: [Int]) -> [Float] {
        let dims = outShape.dims
        let r = dims.count
        let n = dims[r - 1], inner = srcStrides[r - 1]
        let rows = outShape.count / Swift.max(n, 1)
        return [Float](unsafeUninitializedCapacity: outShape.count) { out, filled in
            x.withUnsafeBufferPointer { src in
                var index = [Int](repeating: 0, count: r)
                var off = 0
                for row in 0..<rows {
                    let base = row * n
                    for j in 0..<n { out[base + j] = src[off + j * inner] }
                    var axis = r - 2
                    while axis >= 0 {
                        index[axis] += 1
                        off += srcStrides[axis]
                        if index[axis] < dims[axis] { break }
                        off -= srcStrides[axis] * dims[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
            filled = outShape.count
        }
    }

    /// Elements `range` along `axis` (`[B, C, T]`, axis 2, `0..<10` -> `[B, C, 10]`).
    /// - Parameters:
    ///   - axis: the axis to slice.
    ///   - range: indices along `axis`, within its size.
    ///   - step: keep every `step`-th element (default 1).
    public func sliced(axis: Int, _ range: Range<Int>, step: Int = 1) -> Tensor {
        let a = shape.normalizedAxis(axis)
        let (outer, size, inner) = shape.split(at: a)
        precondition(range.lowerBound >= 0 && range.upperBound <= size && step >= 1,
                     "sliced: range \(range) step \(step) out of bounds for axis \(axis) of \(shape)")
        let length = (range.count + step - 1) / step
        var dims = shape.dims
        dims[a] = length
        let outShape = Shape(dims)
        let values = [Float](unsafeUninitializedCapacity: outShape.count) { out, filled in
            withUnsafeBufferPointer { src in
                if step == 1 {
                    let run = length * inner
                    for o in 0..<outer {
                        (out.baseAddress! + o * run).initialize(from: src.baseAddress! + (o * size + range.lowerBound) * inner, count: run)
                    }
                    return
                }
                for o in 0..<outer {
                    for i in 0..<length {
                        let s = (o * size + range.lowerBound + i * step) * inner
                        let d = (o * length + i) * inner
                        for j in 0..<inner { out[d + j] = src[s + j] }
                    }
                }
            }
            filled = outShape.count
        }
        let out = Tensor(values, shape: outShape)
        if Autograd.shouldRecord(self) {
            let inShape = shape
            out.record([self]) { g in
                var grad = [Float](repeating: 0, count: inShape.count)
                grad.withUnsafeMutableBufferPointer { dst in
                    g.withUnsafeBufferPointer { src in
                        if step == 1 {
                            let run = length * inner
                            for o in 0..<outer {
                                (dst.baseAddress! + (o * size + range.lowerBound) * inner).update(from: src.baseAddress! + o * run, count: run)
                            }
                            return
                        }
                        for o in 0..<outer {
                            for i in 0..<length {
                                let d = (o * size + range.lowerBound + i * step) * inner
                                let s = (o * length + i) * inner
                                for j in 0..<inner { dst[d + j] += src[s + j] }
                            }
                        }
                    }
                }
                return [Tensor(grad, shape: inShape)]
            }
        }
        return out
    }

    /// Concatenates tensors along `axis`; all other dimensions must match.
    /// - Parameters:
    ///   - tensors: at least one tensor.
    ///   - axis: the axis to join along (`[B, C1, T]` + `[B, C2, T]`, axis 1 -> `[B, C1+C2, T]`).
    public static func concatenated(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenated: no tensors")
        let first = tensors[0].shape
        let a = first.normalizedAxis(axis)
        for t in tensors {
            precondition(t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == a || t.shape.dims[$0] == first.dims[$0] },
                         "concatenated: shape \(t.shape) does not match \(first) outside axis \(axis)")
        }
        let sizes = tensors.map { $0.shape.dims[a] }
        let total = sizes.reduce(0, +)
        var dims = first.dims
        dims[a] = total
        let outShape = Shape(dims)
        let (outer, _, inner) = outShape.split(at: a)
        var values = [Float](repeating: 0, count: outShape.count)
        values.withUnsafeMutableBufferPointer { out in
            var offset = 0
            for (t, size) in zip(tensors, sizes) {
                t.withUnsafeBufferPointer { src in
                    for o in 0..<outer {
                        (out.baseAddress! + (o * total + offset) * inner).update(from: src.baseAddress! + o * size * inner, count: size * inner)
                    }
                }
                offset += size
            }
        }
        let out = Tensor(values, shape: outShape)
        if Autograd.shouldRecord(tensors) {
            out.record(tensors) { g in
                var offset = 0
                return zip(tensors, sizes).map { t, size in
                    defer { offset += size }
                    return t.requiresGrad ? g.sliced(axis: a, offset..<(offset + size)) : nil
                }
            }
        }
        return out
    }

    /// Stacks same-shaped tensors along a new axis (`n` tensors `[C, T]`, axis 0 -> `[n, C, T]`).
    public static func stacked(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        concatenated(tensors.map { $0.unsqueezed(axis) }, axis: axis)
    }

    /// Splits along `axis` into pieces of the given sizes (the inverse of ``concatenated(_:axis:)``).
    /// - Parameters:
    ///   - sizes: piece lengths along `axis`, summing to its size.
    ///   - axis: the axis to split.
    public func split(_ sizes: [Int], axis: Int) -> [Tensor] {
        let a = shape.normalizedAxis(axis)
        precondition(sizes.reduce(0, +) == shape.dims[a], "split: sizes \(sizes) do not sum to \(shape.dims[a]) (axis \(axis) of \(shape))")
        var offset = 0
        return sizes.map { size in
            defer { offset += size }
            return sliced(axis: a, offset..<(offset + size))
        }
    }

    /// Splits along `axis` into `parts` equal pieces.
    public func chunked(_ parts: Int, axis: Int) -> [Tensor] {
        let size = shape[axis]
        precondition(parts > 0 && size % parts == 0, "chunked: \(size) is not divisible into \(parts) parts")
        return split([Int](repeating: size / parts, count: parts), axis: axis)
    }

    /// Pads `axis` with `before` and `after` elements of `value` (`[B, C, T]`, axis 2, 3, 3 -> `[B, C, T+6]`).
    public func padded(axis: Int, before: Int, after: Int, value: Float = 0) -> Tensor {
        precondition(before >= 0 && after >= 0, "padded: negative padding \(before), \(after)")
        let a = shape.normalizedAxis(axis)
        let (outer, size, inner) = shape.split(at: a)
        let length = size + before + after
        var dims = shape.dims
        dims[a] = length
        let outShape = Shape(dims)
        var values = [Float](repeating: value, count: outShape.count)
        values.withUnsafeMutableBufferPointer { out in
            withUnsafeBufferPointer { src in
                for o in 0..<outer {
                    let d = (o * length + before) * inner, s = o * size * inner
                    for j in 0..<(size * inner) { out[d + j] = src[s + j] }
                }
            }
        }
        let out = Tensor(values, shape: outShape)
        if Autograd.shouldRecord(self) {
            out.record([self]) { g in [g.sliced(axis: a, before..<(before + size))] }
        }
        return out
    }
}
