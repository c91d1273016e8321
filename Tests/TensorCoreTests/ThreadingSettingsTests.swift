import Testing
import TensorCore

/// `--threads N` sets every pool: GEMM panels and the element-wise workers.
@Suite(.serialized) struct ThreadingSettingsTests {
    @Test func setThreadsSetsEveryPool() {
        let (blas, elementwise) = (Threading.blasThreads, Threading.elementwiseThreads)
        defer {
            Threading.setBLASThreads(blas)
            Threading.setElementwiseThreads(elementwise)
        }
        Threading.setThreads(1)
        #expect(Threading.blasThreads == 1 && Threading.elementwiseThreads == 1)
        Threading.setThreads(3)
        #expect(Threading.blasThreads == 3 && Threading.elementwiseThreads == 3)
    }
}
