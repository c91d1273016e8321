/// Errors TensorCore throws for data that comes from outside the program (files, JSON headers).
///
/// Programmer errors (mismatched shapes passed to an op) are preconditions, not errors.
public enum TensorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file could not be read or written.
    case fileAccess(path: String, reason: String)
    /// The file is shorter than the 8-byte header-length prefix of a safetensors file.
    case safetensorsTooShort(byteCount: Int)
    /// The declared JSON header length exceeds the limit (100 MB, as in the safetensors spec).
    case safetensorsHeaderTooLarge(declared: UInt64, limit: Int)
    /// The declared JSON header length runs past the end of the file.
    case safetensorsHeaderPastEnd(declared: UInt64, available: Int)
    /// The JSON header is not a valid JSON object of the expected form.
    case safetensorsInvalidHeader(reason: String)
    /// A tensor has a dtype this reader does not support.
    case safetensorsUnsupportedDType(key: String, dtype: String)
    /// A tensor's `data_offsets` fall outside the data section or are reversed.
    case safetensorsOffsetsOutOfRange(key: String, begin: Int, end: Int, dataSize: Int)
    /// A tensor's byte range does not match `shape` times the dtype size.
    case safetensorsSizeMismatch(key: String, shape: Shape, dtype: String, expectedBytes: Int, actualBytes: Int)
    /// Two tensors' byte ranges overlap.
    case safetensorsOverlappingOffsets(first: String, second: String)
    /// A tensor name was requested that the file does not hold.
    case safetensorsMissingTensor(key: String)
    /// A file's tensor holds a NaN or an infinity (the first one found, by key order and element).
    case nonFiniteWeight(path: String, key: String, index: Int, value: Float)

    /// A one-line message naming the facts of the error.
    public var description: String {
        switch self {
        case let .fileAccess(path, reason):
            return "Cannot access '\(path)': \(reason)"
        case let .safetensorsTooShort(byteCount):
            return "Not a safetensors file: \(byteCount) bytes, fewer than the 8-byte header length prefix"
        case let .safetensorsHeaderTooLarge(declared, limit):
            return "safetensors header length \(declared) exceeds the limit of \(limit) bytes"
        case let .safetensorsHeaderPastEnd(declared, available):
            return "safetensors header length \(declared) runs past the end of the file (\(available) bytes after the prefix); the file is truncated or not a safetensors file"
        case let .safetensorsInvalidHeader(reason):
            return "Invalid safetensors header: \(reason)"
        case let .safetensorsUnsupportedDType(key, dtype):
            return "Tensor '\(key)' has unsupported dtype '\(dtype)' (supported: F32, F16, BF16)"
        case let .safetensorsOffsetsOutOfRange(key, begin, end, dataSize):
            return "Tensor '\(key)' has data_offsets [\(begin), \(end)] outside the data section of \(dataSize) bytes"
        case let .safetensorsSizeMismatch(key, shape, dtype, expectedBytes, actualBytes):
            return "Tensor '\(key)' of shape \(shape) and dtype \(dtype) needs \(expectedBytes) bytes but data_offsets span \(actualBytes)"
        case let .safetensorsOverlappingOffsets(first, second):
            return "Tensors '\(first)' and '\(second)' have overlapping data_offsets"
        case let .safetensorsMissingTensor(key):
            return "The safetensors file has no tensor named '\(key)'"
        case let .nonFiniteWeight(path, key, index, value):
            return "'\(path)': tensor '\(key)' holds \(value) at element \(index); the weights are invalid (a diverged training run or a damaged file)"
        }
    }
}
