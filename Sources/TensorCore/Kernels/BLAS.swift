import COpenBLAS

/// Thin, shape-checked wrappers over OpenBLAS (row-major CBLAS).
package enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C`, row-major.
    ///
    /// Shapes: `op(A)` is `[m, k]` (A stored `[m, k]`, or `[k, m]` when `transA`), `op(B)` is `[k, n]`
    /// (B stored `[k, n]`, or `[n, k]` when `transB`), `C` is `[m, n]`. Transposed operands are read in place.
    /// Leading dimensions default to the contiguous row lengths.
    @inline(__always)
    package static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int? = nil, b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
        if m == 0 || n == 0 { return }
        let lda = lda ?? (transA ? m : k)
        let ldb = ldb ?? (transB ? k : n)
        let ldc = ldc ?? n
        precondition(lda >= max(1, transA ? m : k) && ldb >= max(1, transB ? k : n) && ldc >= max(1, n),
                     "sgemm: leading dimension too small")
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
