import Testing
import TensorCore
import TestSupport

@Suite("Autograd")
struct AutogradTests {
    @Test func gradientsAccumulateOverFanOut() {
        let x = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
        let y = x * x + x * 3   // dy/dx = 2x + 3
        y.sum().backward()
        #expect(x.grad?.scalars == [5, 7, 9])
    }

    @Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        let x = Tensor([1, 2], shape: [2], requiresGrad: true)
        (x * 2).sum().backward()
        (x * 2).sum().backward()
        #expect(x.grad?.scalars == [4, 4])
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test func noGradRecordsNothing() {
        let x = Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = Autograd.withNoGrad { x * 2 }
        #expect(!y.requiresGrad)
        #expect(y.isLeaf)
        let z = x * 2
        #expect(z.requiresGrad && !z.isLeaf)
    }

    @Test func nothingIsRecordedWithoutAnInputThatNeedsAGradient() {
        let x = Tensor([1, 2], shape: [2])
        #expect((x * 2).isLeaf)
    }

    @Test func backwardFreesTheGraphUnlessRetained() {
        let x = Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = (x * x).sum()
        y.backward(retainGraph: true)
        y.backward()
        #expect(x.grad?.scalars == [4, 8])
        #expect(y.isLeaf)
    }

    @Test func inferenceModeTurnsDropoutOff() {
        let x = Tensor.ones([100])
        var rng = SplitMix64(seed: 1)
        let y = Autograd.withInferenceMode { x.dropout(0.5, using: &rng) }
        #expect(y.scalars == x.scalars)
    }

    @Test func reshapeSharesStorage() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let y = x.reshaped([3, -1])
        #expect(y.shape == [3, 2])
        #expect(y.storage === x.storage)
    }

    @Test func broadcastShapes() {
        #expect(Shape.broadcast([2, 1, 5], [3, 1]) == [2, 3, 5])
        #expect(Shape.broadcast([2, 3], [4]) == nil)
        #expect(Shape([2, 64, 999]).description == "[2, 64, 999]")
        #expect(Shape([2, 3, 4]).strides == [12, 4, 1])
    }
}
